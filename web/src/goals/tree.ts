/**
 * The OKR tree as the page holds it: objectives nested under the ones they serve (as
 * `GET /objectives?tree=true` answers), quarters ("2026-Q4"), progress arithmetic for a
 * preview, and the tree patched by an `objective.changed` event.
 */
import type { KeyResult, Objective, ObjectiveData } from './api'

// ---- quarters ----------------------------------------------------------------------------

const PERIOD = /^(\d{4})-Q([1-4])$/

export function isPeriod(value: unknown): value is string {
  return typeof value === 'string' && PERIOD.test(value)
}

/** The quarter `steps` quarters after `period` (before, when negative). */
export function shiftPeriod(period: string, steps: number): string {
  const match = PERIOD.exec(period)
  if (!match) return period
  const index = Number(match[1]) * 4 + Number(match[2]) - 1 + steps
  return `${Math.floor(index / 4)}-Q${(index % 4) + 1}`
}

/** The quarters a picker offers around `period`: a year back, a year ahead. */
export function periodsAround(period: string): string[] {
  return Array.from({ length: 9 }, (_, i) => shiftPeriod(period, i - 4))
}

export function periodParts(period: string): { year: number; quarter: number } {
  const match = PERIOD.exec(period)
  return match ? { year: Number(match[1]), quarter: Number(match[2]) } : { year: 0, quarter: 0 }
}

// ---- progress ----------------------------------------------------------------------------

const clamp = (value: number): number => Math.min(1, Math.max(0, value))

/** A metric's progress from `start` towards `target` (the server's `metric_progress`). */
export function metricProgress(start: number, target: number, current: number): number {
  if (target === start) return current === target ? 1 : 0
  return clamp((current - start) / (target - start))
}

/** 0..1 as a whole percentage. */
export function percent(progress: number): number {
  return Math.round(clamp(progress) * 100)
}

/** A number as people write it: no trailing ".0", at most two decimals. */
export function amount(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100)
}

export type ConfidenceTone = 'ok' | 'waiting' | 'bad'

/** 7–10 on track (green), 4–6 at risk (amber), 1–3 off track (red). */
export function confidenceTone(confidence: number): ConfidenceTone {
  return confidence >= 7 ? 'ok' : confidence >= 4 ? 'waiting' : 'bad'
}

// ---- the tree ----------------------------------------------------------------------------

/** Every objective of the tree, parents before their children. */
export function flatten(items: readonly Objective[]): Objective[] {
  return items.flatMap((item) => [item, ...flatten(item.children ?? [])])
}

/** The ids from the root down to `id`'s parent (empty when it is a root or not there). */
export function ancestorsOf(items: readonly Objective[], id: number): number[] {
  for (const item of items) {
    if (item.id === id) return []
    const below = ancestorsOf(item.children ?? [], id)
    if (below.length || (item.children ?? []).some((child) => child.id === id)) return [item.id, ...below]
  }
  return []
}

/** The ids of `id` and of every objective under it. */
export function subtreeIds(items: readonly Objective[], id: number): Set<number> {
  const found = flatten(items).find((item) => item.id === id)
  return new Set(found ? flatten([found]).map((item) => item.id) : [])
}

export type PatchResult = 'patched' | 'reload' | 'ignored'

/**
 * The tree with `data` put in its objective's place (the caller's rights and the children
 * stay). 'reload' when the tree's shape changes — an objective new to it, realigned or
 * archived — and 'ignored' for another period's.
 */
export function patchTree(
  items: readonly Objective[],
  period: string,
  data: ObjectiveData,
): { result: PatchResult; items: Objective[] } {
  if (data.period !== period) return { result: 'ignored', items: [...items] }
  const current = flatten(items).find((item) => item.id === data.id)
  if (!current) return { result: data.archived ? 'ignored' : 'reload', items: [...items] }
  if (current.parent_id !== data.parent_id || data.archived) return { result: 'reload', items: [...items] }
  const replace = (nodes: readonly Objective[]): Objective[] =>
    nodes.map((node) =>
      node.id === data.id
        ? { ...data, can: node.can, children: node.children }
        : node.children?.length
          ? { ...node, children: replace(node.children) }
          : node,
    )
  return { result: 'patched', items: replace(items) }
}

/**
 * The tree pruned to the objectives `keep` admits and those above them (shown for context):
 * returns the pruned tree and the ids kept only for context.
 */
export function prune(
  items: readonly Objective[],
  keep: (objective: Objective) => boolean,
): { items: Objective[]; context: Set<number> } {
  const context = new Set<number>()
  const walk = (nodes: readonly Objective[]): Objective[] =>
    nodes.flatMap((node) => {
      const children = walk(node.children ?? [])
      if (keep(node)) return [{ ...node, children }]
      if (children.length) {
        context.add(node.id)
        return [{ ...node, children }]
      }
      return []
    })
  return { items: walk(items), context }
}

/** Whether `userId` may check in on the key result: its objective's `check_in`, or owning it. */
export function mayCheckIn(objective: Objective, keyResult: KeyResult, userId: number | undefined): boolean {
  return objective.can.includes('check_in') || (userId !== undefined && keyResult.owner_id === userId)
}

/** A number field's value (`v-model` on `type=number` gives a number, or '' when empty): NaN when empty. */
export function numberOf(value: string | number): number {
  if (typeof value === 'number') return value
  return value.trim() === '' ? NaN : Number(value)
}
