/** Meetings over HTTP (docs/api.md "Meetings"), under the client's names. */
import { api } from '../api/client'
import type { Schema } from '../api/types'

export type Meeting = Schema<'MeetingOut'>
export type MeetingSummary = Schema<'MeetingSummary'>
export type MeetingList = Schema<'MeetingList'>
export type MeetingDraft = Schema<'MeetingCreate'>
export type MeetingPatch = Schema<'MeetingUpdate'>
export type ActionItem = Schema<'ActionItemOut'>
export type ActionItemList = Schema<'ActionItemList'>
export type ActionItemPatch = Schema<'ActionItemUpdate'>
export type Extracted = Schema<'Extracted'>
export type Tier = Schema<'Tier'>
export type AnswerValue = 'accepted' | 'declined' | 'tentative'

const everyTier: { [T in Tier]: T } = { strategic: 'strategic', execution: 'execution', operational: 'operational', custom: 'custom' }
export const TIERS: readonly Tier[] = Object.values(everyTier)

const MEETINGS = '/api/v1/meetings'

/** The caller's meetings overlapping [from, to) (at most 62 days), each occurrence its own. */
export async function listMeetings(from: Date, to: Date, signal?: AbortSignal): Promise<MeetingSummary[]> {
  const items: MeetingSummary[] = []
  let cursor: string | null = null
  do {
    const page: MeetingList = await api.get<MeetingList>(MEETINGS, { from: from.toISOString(), to: to.toISOString(), cursor }, signal)
    items.push(...page.items)
    cursor = page.next_cursor
  } while (cursor)
  return items
}

export function createMeeting(draft: MeetingDraft): Promise<Meeting> {
  return api.post<Meeting>(MEETINGS, draft)
}

export function getMeeting(id: number, signal?: AbortSignal): Promise<Meeting> {
  return api.get<Meeting>(`${MEETINGS}/${id}`, undefined, signal)
}

export function updateMeeting(id: number, patch: MeetingPatch): Promise<Meeting> {
  return api.patch<Meeting>(`${MEETINGS}/${id}`, patch)
}

export function cancelMeeting(id: number, following: boolean): Promise<void> {
  return api.delete<void>(`${MEETINGS}/${id}${following ? '?following=true' : ''}`)
}

export function answer(id: number, response: AnswerValue): Promise<Meeting> {
  return api.post<Meeting>(`${MEETINGS}/${id}/response`, { response })
}

/** The meeting's minutes page, made the first time (the Markdown minutes, if any, start it). */
export function openMinutesPage(id: number): Promise<Meeting> {
  return api.post<Meeting>(`${MEETINGS}/${id}/minutes-page`)
}

export function listActionItems(id: number, signal?: AbortSignal): Promise<ActionItemList> {
  return api.get<ActionItemList>(`${MEETINGS}/${id}/action-items`, undefined, signal)
}

export function extractActionItems(id: number): Promise<Extracted> {
  return api.post<Extracted>(`${MEETINGS}/${id}/action-items/extract`)
}

export function updateActionItem(id: number, itemId: number, patch: ActionItemPatch): Promise<ActionItem> {
  return api.patch<ActionItem>(`${MEETINGS}/${id}/action-items/${itemId}`, patch)
}

export function confirmActionItem(id: number, itemId: number, projectId: number): Promise<ActionItem> {
  return api.post<ActionItem>(`${MEETINGS}/${id}/action-items/${itemId}/confirm`, { project_id: projectId })
}

export function dismissActionItem(id: number, itemId: number): Promise<ActionItem> {
  return api.post<ActionItem>(`${MEETINGS}/${id}/action-items/${itemId}/dismiss`)
}

export function icsUrl(id: number, series = false): string {
  return `${MEETINGS}/${id}.ics${series ? '?series=true' : ''}`
}
