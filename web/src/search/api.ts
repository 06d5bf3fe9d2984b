import { api } from '../api/client'
import type { Schema } from '../api/types'

/**
 * One hit, of any kind: a message (`hit.message`), a request (`hit.request`), a task
 * (`hit.task`), a project (`hit.project`), an objective (`hit.objective`), a documents
 * page (`hit.page`) or a glossary term (`hit.term`), told apart by `hit.kind`. `highlight` (and the
 * others' `title_highlight`) is safe HTML from the server: escaped text with the matches
 * wrapped in <mark>.
 */
export type SearchHit = Schema<'SearchResults'>['items'][number]
export type RequestHit = Schema<'RequestHit'>
export type TaskHit = Schema<'TaskHit'>
export type ProjectHit = Schema<'ProjectHit'>
export type ObjectiveHit = Schema<'ObjectiveHit'>
export type PageHit = Schema<'PageHit'>
export type TermHit = Schema<'TermHit'>
export type SearchResults = Schema<'SearchResults'>
/** What `kind=` keeps; no kind: every kind. */
export type HitKind = SearchHit['kind']

export function search(q: string, kind: HitKind | null, offset = 0, signal?: AbortSignal): Promise<SearchResults> {
  // tz: minutes east of UTC, so "today" and dates in the query mean the viewer's days.
  return api.get<SearchResults>('/api/v1/search', { q, kind, offset, limit: 20, tz: -new Date().getTimezoneOffset() }, signal)
}

/** A hit's key in a list of every kind (a message and a request may share an id). */
export function hitKey(hit: SearchHit): string {
  switch (hit.kind) {
    case 'message':
      return `message-${hit.message.id}`
    case 'request':
      return `request-${hit.request.id}`
    case 'task':
      return `task-${hit.task.id}`
    case 'project':
      return `project-${hit.project.id}`
    case 'objective':
      return `objective-${hit.objective.id}`
    case 'page':
      return `page-${hit.page.id}`
    case 'term':
      return `term-${hit.term.id}`
  }
}
