import { api } from '../api/client'
import type { Schema } from '../api/types'

/**
 * One hit, of either kind: a message (`hit.message`) or a request (`hit.request`), told
 * apart by `hit.kind`. `highlight` (and a request's `title_highlight`) is safe HTML from the
 * server: escaped text with the matches wrapped in <mark>.
 */
export type SearchHit = Schema<'SearchResults'>['items'][number]
export type RequestHit = Schema<'RequestHit'>
export type SearchResults = Schema<'SearchResults'>
/** What `kind=` keeps; no kind: both. */
export type HitKind = SearchHit['kind']

export function search(q: string, kind: HitKind | null, offset = 0, signal?: AbortSignal): Promise<SearchResults> {
  // tz: minutes east of UTC, so "today" and dates in the query mean the viewer's days.
  return api.get<SearchResults>('/api/v1/search', { q, kind, offset, limit: 20, tz: -new Date().getTimezoneOffset() }, signal)
}

/** A hit's key in a list of both kinds (a message and a request may share an id). */
export function hitKey(hit: SearchHit): string {
  return hit.kind === 'message' ? `message-${hit.message.id}` : `request-${hit.request.id}`
}
