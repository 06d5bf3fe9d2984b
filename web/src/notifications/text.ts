import { ref } from 'vue'
import { formatAgo } from '../i18n/format'
import { currentLocale, translate, type MessageKey } from '../i18n'
import type { Notification, NotificationKind } from './api'

const TITLE_KEYS: { [K in NotificationKind]: MessageKey } = {
  mention: 'notifications.titles.mention',
  direct_message: 'notifications.titles.direct_message',
  ack_requested: 'notifications.titles.ack_requested',
  ack_reminder: 'notifications.titles.ack_reminder',
  added_to_channel: 'notifications.titles.added_to_channel',
  request_update: 'notifications.titles.request_update',
  request_assigned: 'notifications.titles.request_assigned',
  sla_warning: 'notifications.titles.sla_warning',
  sla_breached: 'notifications.titles.sla_breached',
  approval_waiting: 'notifications.titles.approval_waiting',
  task_assigned: 'notifications.titles.task_assigned',
  task_due: 'notifications.titles.task_due',
  task_mentioned: 'notifications.titles.task_mentioned',
  task_commented: 'notifications.titles.task_commented',
  okr_check_in: 'notifications.titles.okr_check_in',
  doc_review_due: 'notifications.titles.doc_review_due',
  doc_comment_mention: 'notifications.titles.doc_comment_mention',
  doc_comment_reply: 'notifications.titles.doc_comment_reply',
  glossary_term_changed: 'notifications.titles.glossary_term_changed',
  meeting_invited: 'notifications.titles.meeting_invited',
  meeting_reminder: 'notifications.titles.meeting_reminder',
  survey_invited: 'notifications.titles.survey_invited',
  survey_reminder: 'notifications.titles.survey_reminder',
  kudos_received: 'notifications.titles.kudos_received',
  announcement_published: 'notifications.titles.announcement_published',
  announcement_reminder: 'notifications.titles.announcement_reminder',
  announcement_reviewed: 'notifications.titles.announcement_reviewed',
}

function dataText(notification: Notification, key: string): string {
  const value = notification.data[key]
  return typeof value === 'string' ? value : ''
}

/** Who caused it, as the server named them when it was recorded ('' for nobody). */
export function actorName(notification: Notification): string {
  return dataText(notification, 'actor_name')
}

/**
 * Its headline in the UI language. The server writes it in Chinese; other languages get
 * theirs from the kind and the names the notification carries. Called during render, so it
 * follows a language switch.
 */
export function notificationTitle(notification: Notification): string {
  if (currentLocale() === 'zh-CN') return notification.title
  // A request is named by its number and title; a conversation by its name.
  const request = dataText(notification, 'request_label') || dataText(notification, 'subject_label')
  const where = request
    ? request
    : dataText(notification, 'channel_kind') === 'dm'
      ? translate('notifications.directConversation')
      : `#${dataText(notification, 'channel_name')}`
  const actor = actorName(notification) || translate('notifications.someone')
  return translate(TITLE_KEYS[notification.kind], { actor, where })
}

export function kindLabel(kind: NotificationKind): string {
  return translate(`notifications.kinds.${kind}`)
}

const ticking = ref(Date.now())
// "5 分钟前" moves on by itself; a minute is as fine as it reads.
window.setInterval(() => {
  ticking.value = Date.now()
}, 30_000)

/** How long ago it came, re-rendered as time passes. */
export function notificationAge(notification: Notification): string {
  return formatAgo(notification.created_at, ticking.value)
}
