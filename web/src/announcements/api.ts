/** Announcements (公告) over HTTP (docs/api.md "Announcements"), under the client's names. */
import { api } from '../api/client'
import type { Page, Schema } from '../api/types'

export type Announcement = Schema<'AnnouncementOut'>
export type AnnouncementDraft = Schema<'AnnouncementCreate'>
export type AnnouncementPatch = Schema<'AnnouncementUpdate'>
export type Importance = Schema<'Importance'>
export type AnnouncementStatus = Schema<'AnnouncementStatus'>
export type Box = Schema<'Box'>
export type Receipts = Schema<'ReceiptsOut'>
export type DepartmentReceipts = Schema<'DepartmentReceipts'>

// Every value once, in the order the screens list them: the compiler refuses these while the
// server has one the client does not know.
const everyImportance: { [I in Importance]: I } = { normal: 'normal', important: 'important', urgent: 'urgent' }
export const IMPORTANCES: readonly Importance[] = Object.values(everyImportance)
const everyBox: { [B in Box]: B } = { published: 'published', drafts: 'drafts', mine: 'mine', review: 'review' }
export const BOXES: readonly Box[] = Object.values(everyBox)

/** The server's limits (`announcements.schemas`). */
export const MAX_TITLE = 200
export const MAX_BODY = 20_000
export const MAX_FILES = 10

const BASE = '/api/v1/announcements'

export function listAnnouncements(box: Box, cursor: string | null, signal?: AbortSignal): Promise<Page<Announcement>> {
  return api.get<Page<Announcement>>(BASE, { box, cursor, limit: 30 }, signal)
}

export function getAnnouncement(id: number, signal?: AbortSignal): Promise<Announcement> {
  return api.get<Announcement>(`${BASE}/${id}`, undefined, signal)
}

export function createAnnouncement(draft: AnnouncementDraft): Promise<Announcement> {
  return api.post<Announcement>(BASE, draft)
}

export function updateAnnouncement(id: number, patch: AnnouncementPatch): Promise<Announcement> {
  return api.patch<Announcement>(`${BASE}/${id}`, patch)
}

export function deleteAnnouncement(id: number): Promise<void> {
  return api.delete<void>(`${BASE}/${id}`)
}

export function submitAnnouncement(id: number): Promise<Announcement> {
  return api.post<Announcement>(`${BASE}/${id}/submit`)
}

export function withdrawAnnouncement(id: number): Promise<Announcement> {
  return api.post<Announcement>(`${BASE}/${id}/withdraw`)
}

export function markRead(id: number): Promise<Announcement> {
  return api.post<Announcement>(`${BASE}/${id}/read`)
}

export function acknowledge(id: number): Promise<Announcement> {
  return api.post<Announcement>(`${BASE}/${id}/acknowledge`)
}

export function getReceipts(id: number, signal?: AbortSignal): Promise<Receipts> {
  return api.get<Receipts>(`${BASE}/${id}/receipts`, undefined, signal)
}

export function remind(id: number): Promise<Schema<'Reminded'>> {
  return api.post<Schema<'Reminded'>>(`${BASE}/${id}/remind`)
}

/** The task of mine in an announcement's review under way, if it waits for me. */
export function myPendingTask(announcement: Announcement, userId: number): number | null {
  for (const step of announcement.approval?.steps ?? []) {
    for (const task of step.approvers) {
      if (task.user_id === userId && task.state === 'pending') return task.id
    }
  }
  return null
}

export type ReviewSettings = Schema<'SettingsOut'>

export function getReviewSettings(): Promise<ReviewSettings> {
  return api.get<ReviewSettings>(`${BASE}/settings`)
}

export function setReviewSettings(reviewDepartmentId: number | null): Promise<ReviewSettings> {
  return api.put<ReviewSettings>(`${BASE}/settings`, { review_department_id: reviewDepartmentId })
}
