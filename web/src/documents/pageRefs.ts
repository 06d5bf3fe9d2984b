/**
 * Pages a chat message links to (`/docs/pages/12`, relative or on any host), drawn as live
 * cards under it (`PageRefCards.vue`) for someone who may read the page; for others the
 * server leaves it out and the message stays plain text. A channel of messages asks once
 * (`GET /page-summaries`), and a page renamed, moved, reclassified or trashed is asked again:
 * `realtime/liveLookup.ts`.
 */
import { api } from '../api/client'
import { idsInText } from '../chat/idsInText'
import type { Schema } from '../api/types'
import { liveLookup } from '../realtime/liveLookup'
import { onEvent } from '../realtime/socket'

export type LinkedPage = Schema<'LinkedPage'>

/** At most this many cards under one message. */
export const MAX_PAGE_CARDS = 3
// The server's cap (`MAX_PAGE_SUMMARIES`).
const BATCH = 100

const LINK = /\/docs\/pages\/(\d{1,9})(?![\d\w])/g

/** The pages `text` links to, each once, in the order it names them (at most a few). */
export function pageIdsIn(text: string): number[] {
  if (!text.includes('/docs/pages/')) return []
  return idsInText(text, [LINK], MAX_PAGE_CARDS)
}

const pages = liveLookup<LinkedPage>({
  fetch: (ids) => api.get<Schema<'LinkedPages'>>('/api/v1/page-summaries', { ids }).then((found) => found.items),
  batch: BATCH,
  follow: (ask, get, shown) => [
    onEvent('page.changed', (event) => {
      if (get(event.data.page.id) !== undefined) ask([event.data.page.id])
    }),
    // Grants or archiving of a space change who reads its pages.
    onEvent('space.changed', (event) => {
      ask(shown().filter((page) => page.space_id === event.data.space.id).map((page) => page.id))
    }),
  ],
})

/** The page as its card shows it; undefined while unknown, null when it is not shown. */
export const linkedPage = (id: number): LinkedPage | null | undefined => pages.get(id)

/** Ask for these pages, together with others asked now. */
export const wantPages = (ids: readonly number[]): void => pages.want(ids)
