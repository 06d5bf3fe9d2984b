/** Surveys and votes over HTTP (API.md "Surveys and votes"), under the client's names. */
import { api, download } from '../api/client'
import type { Page, Schema } from '../api/types'

export type Survey = Schema<'SurveyOut'>
export type SurveyCard = Schema<'SurveyCard'>
export type SurveyDraft = Schema<'SurveyCreate'>
export type SurveyPatch = Schema<'SurveyUpdate'>
export type SurveyResults = Schema<'SurveyResults'>
export type QuestionResult = Schema<'QuestionResult'>
export type SurveySummary = Schema<'SurveySummary'>
export type QuestionKind = Schema<'QuestionKind'>
export type Question = Schema<'QuestionOut'>
export type Answer = Schema<'AnswerIn'>
export type Box = 'todo' | 'mine' | 'all'

// Every kind once, in the order the builder offers them: the compiler refuses this while the
// server has a kind the client does not know.
const everyKind: { [K in QuestionKind]: K } = { single: 'single', multiple: 'multiple', scale: 'scale', nps: 'nps', text: 'text' }
export const QUESTION_KINDS: readonly QuestionKind[] = Object.values(everyKind)
export const CHOICE_KINDS: readonly QuestionKind[] = ['single', 'multiple']

export function listSurveys(box: Box, cursor: string | null, signal?: AbortSignal): Promise<Page<SurveyCard>> {
  return api.get<Page<SurveyCard>>('/api/v1/surveys', { box, cursor, limit: 30 }, signal)
}

export function getSurvey(id: number, signal?: AbortSignal): Promise<Survey> {
  return api.get<Survey>(`/api/v1/surveys/${id}`, undefined, signal)
}

export function createSurvey(draft: SurveyDraft): Promise<Survey> {
  return api.post<Survey>('/api/v1/surveys', draft)
}

export function updateSurvey(id: number, patch: SurveyPatch): Promise<Survey> {
  return api.patch<Survey>(`/api/v1/surveys/${id}`, patch)
}

export function deleteSurvey(id: number): Promise<void> {
  return api.delete<void>(`/api/v1/surveys/${id}`)
}

export function closeSurvey(id: number): Promise<Survey> {
  return api.post<Survey>(`/api/v1/surveys/${id}/close`)
}

export function respond(id: number, answers: Answer[]): Promise<Survey> {
  return api.post<Survey>(`/api/v1/surveys/${id}/responses`, { answers })
}

export function getResults(id: number, signal?: AbortSignal): Promise<SurveyResults> {
  return api.get<SurveyResults>(`/api/v1/surveys/${id}/results`, undefined, signal)
}

export function downloadResults(id: number, title: string): Promise<Headers> {
  return download(`/api/v1/surveys/${id}/results.xlsx`, undefined, `${title}.xlsx`)
}
