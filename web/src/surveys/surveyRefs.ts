/**
 * Surveys a chat message links to (`/surveys/12`, as the message a poll posts does), drawn as
 * live cards under it (`SurveyRefCards.vue`) for someone the survey asks or who made it; for
 * others the server leaves it out and the message stays plain text. A channel of messages
 * asks once (`GET /survey-summaries`), and a `survey.changed` for one on screen (a vote, its
 * closing) asks for it afresh: `realtime/liveLookup.ts`.
 */
import { api } from '../api/client'
import { idsInText } from '../chat/idsInText'
import type { Schema } from '../api/types'
import { liveLookup } from '../realtime/liveLookup'
import { onEvent } from '../realtime/socket'
import type { SurveySummary } from './api'

/** At most this many cards under one message. */
export const MAX_SURVEY_CARDS = 2
// The server's cap (`MAX_SUMMARIES`).
const BATCH = 100

// A link to a survey, relative or absolute, not a longer path's part (`/surveys/12/results` too).
const LINK = /(?<![\w/])(?:https?:\/\/[^\s/]+)?\/surveys\/(\d{1,9})(?!\d)/g

/** The surveys `text` links to, each once, in the order it names them (at most a few). */
export function surveyIdsIn(text: string): number[] {
  if (!text.includes('/surveys/')) return []
  return idsInText(text, [LINK], MAX_SURVEY_CARDS)
}

// The message a poll posts ends with the poll's path on a line of its own (`…\n/surveys/12`);
// the card under the message stands for it, so the line is not drawn.
const OWN_PATH_TEXT = /\n\/surveys\/\d{1,9}$/
const OWN_PATH_HTML = /<br>\n\/surveys\/\d{1,9}<\/p>\n?$/

/** `html` (the message's) without the path line a poll's own message ends with. */
export function withoutPollPath(text: string, html: string): string {
  return OWN_PATH_TEXT.test(text) ? html.replace(OWN_PATH_HTML, '</p>\n') : html
}

const surveys = liveLookup<SurveySummary>({
  fetch: (ids) => api.get<Schema<'SurveySummaries'>>('/api/v1/survey-summaries', { ids }).then((found) => found.items),
  batch: BATCH,
  follow: (ask, get) => [
    onEvent('survey.changed', (event) => {
      if (get(event.data.survey_id) !== undefined) ask([event.data.survey_id])
    }),
  ],
})

/** The survey as its card shows it; undefined while unknown, null when it is not shown. */
export const surveySummary = (id: number): SurveySummary | null | undefined => surveys.get(id)

/** Ask for these surveys, together with others asked now. */
export const wantSurveys = (ids: readonly number[]): void => surveys.want(ids)
