/**
 * A space's page tree in memory: built from `GET /spaces/{id}/tree` (parents before their
 * children, siblings in order), the rows it shows (what is expanded), and where a page goes
 * when it is dropped or moved by keyboard — as the `{parent_id, after_id}` that
 * `POST /pages/{id}/move` takes.
 */
import type { TreeNode } from './api'

export interface Node {
  id: number
  parentId: number | null
  title: string
  icon: string
  updatedAt: string
  children: number[]
}

export interface PageTree {
  nodes: Map<number, Node>
  roots: number[]
}

export interface Row {
  node: Node
  depth: number
  /** Its position among its siblings, from 1, and how many they are (aria-posinset/setsize). */
  position: number
  siblings: number
  expanded: boolean
}

/** Where a page goes: under `parentId` (null: the top), right after `afterId` (null: first). */
export interface Destination {
  parentId: number | null
  afterId: number | null
}

export type DropZone = 'before' | 'inside' | 'after'

export function buildTree(items: readonly TreeNode[]): PageTree {
  const nodes = new Map<number, Node>()
  const roots: number[] = []
  for (const item of items) {
    nodes.set(item.id, { id: item.id, parentId: item.parent_id, title: item.title, icon: item.icon, updatedAt: item.updated_at, children: [] })
  }
  for (const item of items) {
    const parent = item.parent_id === null ? undefined : nodes.get(item.parent_id)
    if (parent) parent.children.push(item.id)
    else {
      nodes.get(item.id)!.parentId = null
      roots.push(item.id)
    }
  }
  return { nodes, roots }
}

export function siblingsOf(tree: PageTree, parentId: number | null): number[] {
  return parentId === null ? tree.roots : (tree.nodes.get(parentId)?.children ?? [])
}

/** The pages above `id`, from the top down. */
export function ancestorsOf(tree: PageTree, id: number): number[] {
  const path: number[] = []
  let current = tree.nodes.get(id)?.parentId ?? null
  while (current !== null && !path.includes(current)) {
    path.unshift(current)
    current = tree.nodes.get(current)?.parentId ?? null
  }
  return path
}

/** Whether `id` is `ancestor` or lies below it. */
export function isWithin(tree: PageTree, id: number, ancestor: number): boolean {
  return id === ancestor || ancestorsOf(tree, id).includes(ancestor)
}

/** The rows shown: every root, and the children of each expanded page, depth first. */
export function visibleRows(tree: PageTree, expanded: ReadonlySet<number>): Row[] {
  const rows: Row[] = []
  const walk = (ids: number[], depth: number): void => {
    ids.forEach((id, index) => {
      const node = tree.nodes.get(id)
      if (!node) return
      const open = expanded.has(id) && node.children.length > 0
      rows.push({ node, depth, position: index + 1, siblings: ids.length, expanded: open })
      if (open) walk(node.children, depth + 1)
    })
  }
  walk(tree.roots, 0)
  return rows
}

/** Where a page dropped on `target`'s row goes: before it, after it, or last inside it. */
export function destinationOf(tree: PageTree, target: Node, zone: DropZone, expanded: ReadonlySet<number>): Destination {
  if (zone === 'inside') {
    const last = target.children[target.children.length - 1] ?? null
    return { parentId: target.id, afterId: last }
  }
  if (zone === 'after' && expanded.has(target.id) && target.children.length > 0) {
    // Just below an open page's row is the top of its children.
    return { parentId: target.id, afterId: null }
  }
  const siblings = siblingsOf(tree, target.parentId)
  const index = siblings.indexOf(target.id)
  if (zone === 'after') return { parentId: target.parentId, afterId: target.id }
  return { parentId: target.parentId, afterId: index > 0 ? (siblings[index - 1] ?? null) : null }
}

/** Whether moving `id` to `to` changes anything (and is allowed: not into itself). */
export function isRealMove(tree: PageTree, id: number, to: Destination): boolean {
  if (to.parentId !== null && isWithin(tree, to.parentId, id)) return false
  if (to.afterId === id) return false
  const node = tree.nodes.get(id)
  if (!node) return false
  if (node.parentId !== to.parentId) return true
  const siblings = siblingsOf(tree, to.parentId)
  const index = siblings.indexOf(id)
  const before = index > 0 ? (siblings[index - 1] ?? null) : null
  return before !== to.afterId
}

/** The tree with `id` moved to `to` (a new tree; the old one is left as it was). */
export function moved(tree: PageTree, id: number, to: Destination): PageTree {
  const nodes = new Map<number, Node>()
  for (const [key, node] of tree.nodes) nodes.set(key, { ...node, children: node.children.filter((c) => c !== id) })
  const roots = tree.roots.filter((r) => r !== id)
  const next: PageTree = { nodes, roots }
  const node = nodes.get(id)
  if (!node) return tree
  node.parentId = to.parentId
  const list = to.parentId === null ? roots : nodes.get(to.parentId)?.children
  if (!list) return tree
  const at = to.afterId === null ? 0 : list.indexOf(to.afterId) + 1
  list.splice(at, 0, id)
  return next
}

/** Keyboard moves: one place up or down among the siblings, in (under the page above) or out. */
export function keyboardDestination(tree: PageTree, id: number, key: 'up' | 'down' | 'in' | 'out'): Destination | null {
  const node = tree.nodes.get(id)
  if (!node) return null
  const siblings = siblingsOf(tree, node.parentId)
  const index = siblings.indexOf(id)
  if (key === 'up') {
    if (index <= 0) return null
    return { parentId: node.parentId, afterId: index >= 2 ? (siblings[index - 2] ?? null) : null }
  }
  if (key === 'down') {
    if (index < 0 || index >= siblings.length - 1) return null
    return { parentId: node.parentId, afterId: siblings[index + 1] ?? null }
  }
  if (key === 'in') {
    if (index <= 0) return null
    const above = tree.nodes.get(siblings[index - 1] ?? -1)
    if (!above) return null
    return { parentId: above.id, afterId: above.children[above.children.length - 1] ?? null }
  }
  if (node.parentId === null) return null
  const parent = tree.nodes.get(node.parentId)
  return parent ? { parentId: parent.parentId, afterId: parent.id } : null
}

/** Every page below `id` (for "what goes to the trash with it"). */
export function descendantCount(tree: PageTree, id: number): number {
  const node = tree.nodes.get(id)
  if (!node) return 0
  return node.children.reduce((sum, child) => sum + 1 + descendantCount(tree, child), 0)
}
