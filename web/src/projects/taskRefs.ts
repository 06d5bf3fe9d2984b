/**
 * Tasks a chat message names — `T-12`, `#T-12`, or a link to one (`/projects/3?task=12`) —
 * drawn as live cards under it (`TaskRefCards.vue`), for someone who may see the task; for
 * others the server leaves the task out and the message stays plain text.
 *
 * A channel of messages asks once (`GET /task-summaries`), and a `task.changed` for a task on
 * screen asks for it afresh: `realtime/liveLookup.ts`.
 */
import { api } from '../api/client'
import { idsInText } from '../chat/idsInText'
import type { Schema } from '../api/types'
import { liveLookup } from '../realtime/liveLookup'
import { onEvent } from '../realtime/socket'

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
  return idsInText(text, [NUMBER, LINK], MAX_CARDS_PER_MESSAGE)
}

const tasks = liveLookup<TaskSummary>({
  fetch: (ids) => api.get<Schema<'TaskSummaries'>>('/api/v1/task-summaries', { ids }).then((found) => found.items),
  batch: BATCH,
  follow: (ask, get) => [
    // The card keeps showing the task as it was until the new answer replaces it (its
    // column's name is the project's own word: asked, not worked out here).
    onEvent('task.changed', (event) => {
      if (get(event.data.task.id)) ask([event.data.task.id])
    }),
  ],
})

/** The task as its card shows it; undefined while unknown, null when it is not shown. */
export const taskSummary = (id: number): TaskSummary | null | undefined => tasks.get(id)

/** Ask for these tasks (those not known or on their way), together with others asked now. */
export const wantTasks = (ids: readonly number[]): void => tasks.want(ids)
