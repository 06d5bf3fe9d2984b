import { api } from '../api/client'
import type { Schema } from '../api/types'

/** `highlight` is safe HTML from the server: escaped text with the matches wrapped in <mark>. */
export type SearchHit = Schema<'SearchHit'>
export type SearchResults = Schema<'SearchResults'>

export function searchMessages(q: string, offset = 0, signal?: AbortSignal): Promise<SearchResults> {
  // tz: minutes east of UTC, so "today" and dates in the query mean the viewer's days.
  return api.get<SearchResults>('/api/v1/search', { q, offset, limit: 20, tz: -new Date().getTimezoneOffset() }, signal)
}
