/** 员工之声 over HTTP (docs/api.md "员工之声"): the suggestion box, kudos, the showcase. */
import { api } from '../api/client'
import type { ItemList, Page, Schema } from '../api/types'

export type Suggestion = Schema<'SuggestionOut'>
export type SuggestionDraft = Schema<'SuggestionCreate'>
export type SuggestionCreated = Schema<'SuggestionCreated'>
export type SuggestionStats = Schema<'SuggestionStats'>
export type SuggestionCategory = Schema<'SuggestionCategory'>
export type SuggestionStatus = Schema<'SuggestionStatus'>
export type Kudos = Schema<'KudosOut'>
export type KudosDraft = Schema<'KudosCreate'>
export type KudosStats = Schema<'KudosStats'>
export type KudosValue = Schema<'KudosValue'>
export type ShowcaseCase = Schema<'ShowcaseOut'>
export type ShowcaseDraft = Schema<'ShowcaseCreate'>
export type ShowcaseKind = Schema<'ShowcaseKind'>

// Every value once, in the order the screens list them: the compiler refuses these while the
// server has one the client does not know.
const everyCategory: { [C in SuggestionCategory]: C } = {
  workplace: 'workplace',
  process: 'process',
  management: 'management',
  product: 'product',
  welfare: 'welfare',
  other: 'other',
}
export const CATEGORIES: readonly SuggestionCategory[] = Object.values(everyCategory)
const everyValue: { [V in KudosValue]: V } = {
  customer_first: 'customer_first',
  teamwork: 'teamwork',
  excellence: 'excellence',
  integrity: 'integrity',
  ownership: 'ownership',
}
export const KUDOS_VALUES: readonly KudosValue[] = Object.values(everyValue)

/** The server's limits (`feedback.schemas`). */
export const MAX_SUGGESTION = 2000
export const MAX_ANSWER = 2000
export const MAX_KUDOS_MESSAGE = 500
export const MAX_SUMMARY = 1000

export function listSuggestions(
  query: { department_id?: number | null; status?: SuggestionStatus | null },
  cursor: string | null,
  signal?: AbortSignal,
): Promise<Page<Suggestion>> {
  return api.get<Page<Suggestion>>('/api/v1/suggestions', { ...query, cursor, limit: 20 }, signal)
}

export function submitSuggestion(draft: SuggestionDraft): Promise<SuggestionCreated> {
  return api.post<SuggestionCreated>('/api/v1/suggestions', draft)
}

/** A POST so the receipt stays out of URLs (and so out of every log). */
export function findByReceipt(receipt: string): Promise<Suggestion> {
  return api.post<Suggestion>('/api/v1/suggestions/receipt', { receipt })
}

export function answerSuggestion(id: number, answer: string): Promise<Suggestion> {
  return api.post<Suggestion>(`/api/v1/suggestions/${id}/answer`, { answer })
}

export function suggestionStats(signal?: AbortSignal): Promise<SuggestionStats> {
  return api.get<SuggestionStats>('/api/v1/suggestions/stats', undefined, signal)
}

export function listKudos(cursor: string | null, signal?: AbortSignal): Promise<Page<Kudos>> {
  return api.get<Page<Kudos>>('/api/v1/kudos', { cursor, limit: 20 }, signal)
}

export function giveKudos(draft: KudosDraft): Promise<Kudos> {
  return api.post<Kudos>('/api/v1/kudos', draft)
}

export function kudosStats(from: string, to: string, signal?: AbortSignal): Promise<KudosStats> {
  return api.get<KudosStats>('/api/v1/kudos/stats', { from, to }, signal)
}

export function listShowcase(signal?: AbortSignal): Promise<ItemList<ShowcaseCase>> {
  return api.get<ItemList<ShowcaseCase>>('/api/v1/showcase', undefined, signal)
}

export function promoteCase(draft: ShowcaseDraft): Promise<ShowcaseCase> {
  return api.post<ShowcaseCase>('/api/v1/showcase', draft)
}

export function removeCase(id: number): Promise<void> {
  return api.delete<void>(`/api/v1/showcase/${id}`)
}
