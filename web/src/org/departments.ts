/**
 * The department tree, fetched once and shared by the directory and admin
 * screens (admin edits call reload()). Small enough to keep whole in memory.
 */
import { computed, shallowRef } from 'vue'
import type { Department } from '../api/types'
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
    names,
    sorted: (nodes: Department[]) => [...nodes].sort(byPosition),
  }
}
