/**
 * Tasks a chat message names — `T-12`, `#T-12`, or a link to one (`/projects/3?task=12`) —
 * drawn as live cards under it (`TaskRefCards.vue`), for someone who may see the task; for
 * others the server leaves the task out and the message stays plain text.
 *
 * A channel of messages asks once: every message asks for its tasks as it renders, the ids
 * are gathered for a moment and fetched together (`GET /task-summaries`, up to 100 at a
 * time), and each answer is kept for the tab's session — one that may not be seen too, so it
 * is not asked again. A `task.changed` for a task on screen asks for it afresh (its column's
 * name is the project's own word), as does a fresh connection for every task whose answer
 * came before the connection dropped (what changed meanwhile was not heard).
 */
import { shallowReactive, watch } from 'vue'
import { api } from '../api/client'
import type { Schema } from '../api/types'
import { onSessionEnd } from '../auth/session'
import { onEvent, onResync, socketState } from '../realtime/socket'

export type TaskSummary = Schema<'TaskSummary'>

/** At most this many cards under one message: a list of numbers is not a list of cards. */
export const MAX_CARDS_PER_MESSAGE = 3
// The server's cap (`MAX_SUMMARIES`).
const BATCH = 100

// `T-12` / `#T-12` as a word of its own (not `ABT-12`, not part of a path or another word).
const NUMBER = /(?<![\p{L}\p{N}_/.-])#?T-(\d{1,9})(?![\p{L}\p{N}_-])/gu
// A link to a task of a project, relative or absolute.
const LINK = /\/projects\/\d{1,9}\?(?:[^\s"'<>#]*&)?task=(\d{1,9})(?!\d)/g

/** The tasks `text` names, each once, in the order it names them (at most a few). */
export function taskIdsIn(text: string): number[] {
  if (!text.includes('T-') && !text.includes('task=')) return []
  const found: { id: number; at: number }[] = []
  for (const pattern of [NUMBER, LINK]) {
    for (const match of text.matchAll(pattern)) found.push({ id: Number(match[1]), at: match.index ?? 0 })
  }
  found.sort((a, b) => a.at - b.at)
  const ids: number[] = []
  for (const { id } of found) {
    if (id > 0 && !ids.includes(id)) ids.push(id)
    if (ids.length === MAX_CARDS_PER_MESSAGE) break
  }
  return ids
}

// id → the task's summary, or null: not one the caller may see (or none at all).
const known = shallowReactive(new Map<number, TaskSummary | null>())
// id → when its answer came; and when the socket last dropped.
const answeredAt = new Map<number, number>()
let droppedAt = 0
const wanted = new Set<number>()
const asking = new Set<number>()
let timer: number | undefined
let generation = 0
let unsubscribers: (() => void)[] = []

/** The task as its card shows it; undefined while unknown, null when it is not shown. */
export function taskSummary(id: number): TaskSummary | null | undefined {
  return known.get(id)
}

/** Ask for these tasks (those not known or on their way), together with others asked now. */
export function wantTasks(ids: readonly number[]): void {
  follow()
  let added = false
  for (const id of ids) {
    if (!known.has(id) && !asking.has(id)) {
      wanted.add(id)
      added = true
    }
  }
  if (added) askSoon()
}

function askSoon(): void {
  window.clearTimeout(timer)
  // Every message of a page renders in one go: one request for all their tasks.
  timer = window.setTimeout(() => void askNow(), 30)
}

async function askNow(): Promise<void> {
  const ids = [...wanted]
  wanted.clear()
  const mine = generation
  for (let start = 0; start < ids.length; start += BATCH) {
    const batch = ids.slice(start, start + BATCH)
    for (const id of batch) asking.add(id)
    try {
      const found = await api.get<Schema<'TaskSummaries'>>('/api/v1/task-summaries', { ids: batch })
      if (mine !== generation) return
      const shown = new Map(found.items.map((task) => [task.id, task]))
      const now = Date.now()
      for (const id of batch) {
        known.set(id, shown.get(id) ?? null)
        answeredAt.set(id, now)
      }
    } catch {
      // Not known: the message stays as it is; the next render or reconnection asks again.
    } finally {
      for (const id of batch) asking.delete(id)
    }
  }
}

function follow(): void {
  if (unsubscribers.length) return
  unsubscribers = [
    onEvent('task.changed', (event) => {
      // The card keeps showing the task as it was until the new answer replaces it.
      const id = event.data.task.id
      if (known.get(id)) {
        wanted.add(id)
        askSoon()
      }
    }),
    onResync(() => {
      for (const [id, at] of answeredAt) if (at <= droppedAt) wanted.add(id)
      if (wanted.size) askSoon()
    }),
    watch(socketState, (state) => {
      if (state === 'closed') droppedAt = Date.now()
    }),
  ]
}

onSessionEnd(() => {
  for (const unsubscribe of unsubscribers) unsubscribe()
  unsubscribers = []
  window.clearTimeout(timer)
  generation += 1
  known.clear()
  answeredAt.clear()
  droppedAt = 0
  wanted.clear()
  asking.clear()
})
