/** The glossary (术语手册) over HTTP (docs/api.md "Glossary"), under the client's names. */
import { api } from '../api/client'
import type { Page, Schema } from '../api/types'

export type Term = Schema<'TermOut'>
/** A term as its events carry it: `TermOut` without the caller's own fields. */
export type TermData = Schema<'TermData'>
export type TermListItem = Schema<'TermListItem'>
export type TermDraft = Schema<'TermCreate'>
export type TermPatch = Schema<'TermUpdate'>
export type TermCard = Schema<'TermCard'>
export type Revision = Schema<'RevisionOut'>
export type FollowState = Schema<'FollowState'>
export type RecognisedTerm = Schema<'RecognisedTerm'>
export type TermVisibility = Schema<'TermVisibility'>
export type TermStatus = Schema<'TermStatus'>

// Every value once, in the order the screens list them: the compiler refuses these while the
// server has one the client does not know.
const everyVisibility: { [V in TermVisibility]: V } = { company: 'company', department: 'department' }
export const TERM_VISIBILITIES: readonly TermVisibility[] = Object.values(everyVisibility)
const everyStatus: { [S in TermStatus]: S } = { active: 'active', deprecated: 'deprecated' }
export const TERM_STATUSES: readonly TermStatus[] = Object.values(everyStatus)

/** The server's limit on a text to recognise terms in (`MAX_RECOGNISED_TEXT`). */
export const MAX_RECOGNISED_TEXT = 20_000

export interface TermQuery {
  q?: string | null
  department_id?: number | null
  status?: TermStatus | null
  following?: boolean
}

export function listTerms(query: TermQuery, cursor: string | null, signal?: AbortSignal): Promise<Page<TermListItem>> {
  return api.get<Page<TermListItem>>(
    '/api/v1/glossary/terms',
    { ...query, following: query.following || undefined, cursor, limit: 50 },
    signal,
  )
}

export function getTerm(id: number, signal?: AbortSignal): Promise<Term> {
  return api.get<Term>(`/api/v1/glossary/terms/${id}`, undefined, signal)
}

export function createTerm(draft: TermDraft): Promise<Term> {
  return api.post<Term>('/api/v1/glossary/terms', draft)
}

export function updateTerm(id: number, patch: TermPatch): Promise<Term> {
  return api.patch<Term>(`/api/v1/glossary/terms/${id}`, patch)
}

export function deleteTerm(id: number): Promise<void> {
  return api.delete<void>(`/api/v1/glossary/terms/${id}`)
}

export function termCard(id: number): Promise<TermCard> {
  return api.get<TermCard>(`/api/v1/glossary/terms/${id}/card`)
}

export function termHistory(id: number, cursor: string | null, signal?: AbortSignal): Promise<Page<Revision>> {
  return api.get<Page<Revision>>(`/api/v1/glossary/terms/${id}/history`, { cursor, limit: 20 }, signal)
}

export function setFollowing(id: number, following: boolean): Promise<FollowState> {
  const path = `/api/v1/glossary/terms/${id}/follow`
  return following ? api.put<FollowState>(path, undefined) : api.delete<FollowState>(path)
}

/** Code-point counts of each prefix: JavaScript strings count a character outside the BMP
 * (an emoji) twice, the server once. `at[i]` is the UTF-16 index of code point `i`. */
export function codePointIndex(text: string): number[] {
  const at: number[] = []
  let index = 0
  for (const char of text) {
    at.push(index)
    index += char.length
  }
  at.push(index)
  return at
}

/** The terms in `text` the caller may read; offsets in code points (`codePointIndex` turns
 * them into a JavaScript string's). */
export function recognise(text: string): Promise<RecognisedTerm[]> {
  return api.post<Schema<'Recognised'>>('/api/v1/glossary/recognise', { text }).then((found) => found.items)
}
