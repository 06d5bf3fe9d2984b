/** The notification centre's HTTP API (API.md "Notifications"), under the client's names. */
import { api } from '../api/client'
import type { Schema } from '../api/types'

export type Notification = Schema<'NotificationOut'>
export type NotificationKind = Schema<'NotificationKind'>
export type NotificationPage = Schema<'NotificationPage'>
export type NotificationPreferences = Schema<'PreferencesOut'>

// Every kind once, in the order the preferences list them: the compiler refuses this while
// the server has a kind the client does not know.
const everyKind: { [K in NotificationKind]: K } = {
  mention: 'mention',
  direct_message: 'direct_message',
  ack_requested: 'ack_requested',
  ack_reminder: 'ack_reminder',
  added_to_channel: 'added_to_channel',
  request_update: 'request_update',
  request_assigned: 'request_assigned',
  sla_warning: 'sla_warning',
  sla_breached: 'sla_breached',
  approval_waiting: 'approval_waiting',
  task_assigned: 'task_assigned',
  task_due: 'task_due',
  task_mentioned: 'task_mentioned',
  task_commented: 'task_commented',
  okr_check_in: 'okr_check_in',
  doc_review_due: 'doc_review_due',
  doc_comment_mention: 'doc_comment_mention',
  doc_comment_reply: 'doc_comment_reply',
  glossary_term_changed: 'glossary_term_changed',
  meeting_invited: 'meeting_invited',
  meeting_reminder: 'meeting_reminder',
  survey_invited: 'survey_invited',
  survey_reminder: 'survey_reminder',
  kudos_received: 'kudos_received',
  announcement_published: 'announcement_published',
  announcement_reminder: 'announcement_reminder',
  announcement_reviewed: 'announcement_reviewed',
}
export const NOTIFICATION_KINDS: readonly NotificationKind[] = Object.values(everyKind)

export type ReadResult = Schema<'MarkedRead'>

export function listNotifications(
  query: { unread?: boolean; cursor?: string | null; limit?: number },
  signal?: AbortSignal,
): Promise<NotificationPage> {
  return api.get<NotificationPage>('/api/v1/notifications', { limit: 30, ...query, unread: query.unread || undefined }, signal)
}

export function markRead(ids: number[]): Promise<ReadResult> {
  return api.post<ReadResult>('/api/v1/notifications/read', { ids })
}

export function markAllRead(): Promise<ReadResult> {
  return api.post<ReadResult>('/api/v1/notifications/read', { all: true })
}

export function getPreferences(): Promise<NotificationPreferences> {
  return api.get<NotificationPreferences>('/api/v1/notifications/preferences')
}

export function savePreferences(preferences: NotificationPreferences): Promise<NotificationPreferences> {
  return api.put<NotificationPreferences>('/api/v1/notifications/preferences', preferences)
}
