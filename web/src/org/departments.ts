/**
 * The department tree, fetched once and shared by the directory and admin
 * screens (admin edits call reload()). Small enough to keep whole in memory.
 */
import { computed, shallowRef } from 'vue'
import type { Department } from '../api/types'
import type { Translate } from '../i18n'
import { listDepartments } from './api'

export interface FlatDepartment {
  department: Department
  depth: number
}

const tree = shallowRef<Department[]>([])
const loading = shallowRef(false)
const error = shallowRef<unknown>(null)
let pending: Promise<void> | null = null

function byPosition(a: Department, b: Department): number {
  return a.position - b.position || a.name.localeCompare(b.name)
}

/** Depth-first order with depth, for indented pickers and lists. */
const flat = computed<FlatDepartment[]>(() => {
  const out: FlatDepartment[] = []
  const walk = (nodes: Department[], depth: number): void => {
    for (const department of [...nodes].sort(byPosition)) {
      out.push({ department, depth })
      walk(department.children, depth + 1)
    }
  }
  walk(tree.value, 0)
  return out
})

const byId = computed(() => new Map(flat.value.map(({ department }) => [department.id, department])))

/**
 * The typed filter as a department's `search_text` is matched (the server folds it the same
 * way): width- and case-insensitive, spaces dropped, so "Yan Fa" finds 研发部.
 */
export function departmentSearchTerm(query: string): string {
  return query.normalize('NFKC').toLowerCase().replace(/\s+/g, '')
}

async function fetchTree(): Promise<void> {
  loading.value = true
  error.value = null
  try {
    tree.value = await listDepartments()
  } catch (e) {
    error.value = e
  } finally {
    loading.value = false
  }
}

/** Loads the tree unless it is already loaded (or loading). */
function ensureLoaded(): Promise<void> {
  pending ??= fetchTree().then(() => {
    if (error.value) pending = null // allow a retry after a failure
  })
  return pending
}

function reload(): Promise<void> {
  pending = fetchTree()
  return pending
}

/** Ids of a department and everything under it: it cannot be moved into any of them. */
function subtreeIds(id: number): Set<number> {
  const ids = new Set<number>()
  const visit = (department: Department): void => {
    ids.add(department.id)
    department.children.forEach(visit)
  }
  const root = byId.value.get(id)
  if (root) visit(root)
  return ids
}

/** Ids of the departments above this one, nearest first. */
function ancestorIds(id: number): number[] {
  const out: number[] = []
  for (let parent = byId.value.get(id)?.parent_id ?? null; parent !== null; ) {
    out.push(parent)
    parent = byId.value.get(parent)?.parent_id ?? null
  }
  return out
}

/**
 * What a filter over the tree shows: the departments whose name, pinyin or initials contain
 * the typed text, and every department above them (to show where they sit). Null: no filter.
 */
function matching(query: string): Set<number> | null {
  const term = departmentSearchTerm(query)
  if (!term) return null
  const shown = new Set<number>()
  for (const { department } of flat.value) {
    if (!department.search_text.includes(term)) continue
    shown.add(department.id)
    for (const id of ancestorIds(department.id)) shown.add(id)
  }
  return shown
}

/**
 * The departments a person manages and everything below them: whose request types they
 * define (the server's `Reach.managed`).
 */
function managedBy(userId: number): Set<number> {
  const ids = new Set<number>()
  for (const { department } of flat.value) {
    if (department.manager_ids.includes(userId)) for (const id of subtreeIds(department.id)) ids.add(id)
  }
  return ids
}

function names(ids: readonly number[]): string[] {
  return ids.flatMap((id) => {
    const department = byId.value.get(id)
    return department ? [department.name] : []
  })
}

export function useDepartments() {
  return {
    tree,
    flat,
    byId,
    loading,
    error,
    ensureLoaded,
    reload,
    subtreeIds,
    ancestorIds,
    matching,
    managedBy,
    names,
    sorted: (nodes: Department[]) => [...nodes].sort(byPosition),
  }
}

/**
 * A department's headcount as people read it: its own members, and — when the departments
 * below it hold more — everyone it reaches (`@研发部` notifies the whole subtree).
 */
export function headcountText(t: Translate, department: Pick<Department, 'member_count' | 'total_member_count'>): string {
  const { member_count: direct, total_member_count: total } = department
  return total > direct ? t('people.headcountWithBelow', { direct, total }) : t('people.memberCount', { n: direct })
}
