/**
 * The board as the page holds it, and the ways it changes: a card dropped here, a task as an
 * event now carries it. Pure functions over immutable columns, so a move can be undone by
 * putting the card back where it was.
 *
 * A moved card goes right after the card the move names (`after_id`), not by its rank: a
 * move may renumber the other cards of its column on the server (a respread), and those new
 * ranks reach nobody, so the ranks a page holds go stale while the order of the cards stays
 * true.
 */
import type { BoardColumn, Card, Category } from './api'

export type Columns = readonly BoardColumn[]

/** Where a card sits: its column's status and the card above it (null: at the top). */
export interface Place {
  statusId: number
  afterId: number | null
}

export function placeOf(columns: Columns, taskId: number): Place | null {
  for (const column of columns) {
    const index = column.tasks.findIndex((task) => task.id === taskId)
    if (index >= 0) return { statusId: column.status.id, afterId: index > 0 ? column.tasks[index - 1]!.id : null }
  }
  return null
}

export function findTask(columns: Columns, taskId: number): Card | undefined {
  for (const column of columns) {
    const found = column.tasks.find((task) => task.id === taskId)
    if (found) return found
  }
  return undefined
}

function withTasks(column: BoardColumn, tasks: Card[]): BoardColumn {
  const limit = column.status.wip_limit
  return { ...column, tasks, over_limit: limit !== null && tasks.length > limit }
}

/**
 * The board with `task` (a card, or a whole task as an event carries it) in its status's column: right after `afterId` when the change was a
 * move (`null`: at the top); otherwise where it was, or, new to the column, by its rank.
 * Answers `stale` when the card it should follow is not on this board (a change this page
 * has not heard of yet): placed by rank meanwhile, the caller reloads the board.
 */
export function placeTask(columns: Columns, task: Card, afterId?: number | null): { columns: BoardColumn[]; stale: boolean } {
  const before = placeOf(columns, task.id)
  let stale = false
  const next = columns.map((column) => {
    const others = column.tasks.filter((shown) => shown.id !== task.id)
    if (column.status.id !== task.status_id) {
      return others.length === column.tasks.length ? column : withTasks(column, others)
    }
    let index: number
    if (afterId === null) {
      index = 0
    } else if (afterId !== undefined && others.some((shown) => shown.id === afterId)) {
      index = others.findIndex((shown) => shown.id === afterId) + 1
    } else if (afterId === undefined && before?.statusId === column.status.id) {
      index = before.afterId === null ? 0 : others.findIndex((shown) => shown.id === before.afterId) + 1
    } else {
      stale = afterId !== undefined
      const after = others.findIndex((shown) => shown.rank > task.rank)
      index = after < 0 ? others.length : after
    }
    return withTasks(column, [...others.slice(0, index), task, ...others.slice(index)])
  })
  return { columns: next, stale }
}

/** How many tasks (not sub-tasks) are in each category, as the project's `progress` counts. */
export function progressOf(columns: Columns): Record<Category, number> {
  const progress: Record<Category, number> = { todo: 0, doing: 0, done: 0, cancelled: 0 }
  for (const column of columns) {
    for (const task of column.tasks) if (task.parent_id === null) progress[task.category] += 1
  }
  return progress
}

/** Done against everything still meant to be done (cancelled tasks count for neither). */
export function progressRatio(progress: Partial<Record<Category, number>>): { done: number; total: number } {
  const done = progress.done ?? 0
  const total = done + (progress.todo ?? 0) + (progress.doing ?? 0)
  return { done, total }
}
