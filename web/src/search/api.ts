import { api } from '../api/client'
import type { Message } from '../chat/types'

export interface SearchHit {
  message: Message
  /** Safe HTML from the server: escaped text with the matches wrapped in <mark>. */
  highlight: string
}

export interface SearchResults {
  items: SearchHit[]
  total: number
  total_capped: boolean
  warnings: string[]
}

export function searchMessages(q: string, offset = 0, signal?: AbortSignal): Promise<SearchResults> {
  // tz: minutes east of UTC, so "today" and dates in the query mean the viewer's days.
  return api.get<SearchResults>('/api/v1/search', { q, offset, limit: 20, tz: -new Date().getTimezoneOffset() }, signal)
}
