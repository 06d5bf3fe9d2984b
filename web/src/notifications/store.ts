/**
 * The person's notifications as the app shell shows them: how many are unread (the bell's
 * badge) and the latest few (its panel). Started by the shell with the tab's socket; kept
 * live by `notification.created` / `notification.read` (which also come from the person's
 * other tabs and devices) and reloaded whenever the socket had to start afresh.
 */
import { readonly, ref, shallowRef } from 'vue'
import type { EventOf } from '../api/types'
import { onSessionEnd } from '../auth/session'
import { notify } from '../realtime/notify'
import { onEvent, onResync } from '../realtime/socket'
import { listNotifications, markAllRead, markRead, type Notification } from './api'
import { notificationTitle } from './text'

/** How many the bell's panel lists. */
export const LATEST_LIMIT = 8

const unread = ref(0)
const latestItems = shallowRef<Notification[]>([])
const loaded = ref(false)
const failure = shallowRef<unknown>(null)

export const unreadCount = readonly(unread)
export const latest = readonly(latestItems)
/** The latest ones came back at least once (the panel shows "loading" until then). */
export const latestLoaded = readonly(loaded)
export const latestError = readonly(failure)

let unsubscribers: (() => void)[] = []
let loadCount = 0
// A notification event came while a load was on its way: that load's answer may have been
// read before the change it reports, so it is not shown; another load is made instead.
let heardDuringLoad = false

/** The same items with these marked read (all of them when `ids` is 'all'). */
export function withRead(items: readonly Notification[], ids: readonly number[] | 'all',
  at: string = new Date().toISOString()): Notification[] {
  const wanted = ids === 'all' ? null : new Set(ids)
  return items.map((item) => (item.read_at === null && (wanted === null || wanted.has(item.id)) ? { ...item, read_at: at } : item))
}

export async function reloadLatest(): Promise<void> {
  const mine = ++loadCount
  heardDuringLoad = false
  try {
    const page = await listNotifications({ limit: LATEST_LIMIT })
    if (mine !== loadCount) return // a newer load is on its way
    if (heardDuringLoad) {
      // Older than what the events since brought (they are shown already): ask again.
      void reloadLatest()
      return
    }
    latestItems.value = page.items
    unread.value = page.unread_count
    failure.value = null
    loaded.value = true
  } catch (error) {
    if (mine === loadCount) failure.value = error
  }
}

function onCreated(event: EventOf<'notification.created'>): void {
  heardDuringLoad = true
  const { notification, quiet } = event.data
  if (latestItems.value.some((item) => item.id === notification.id)) return
  latestItems.value = [notification, ...latestItems.value].slice(0, LATEST_LIMIT)
  if (notification.read_at === null) unread.value += 1
  // In do-not-disturb hours it only joins the feed; a visible tab has the bell.
  if (!quiet && document.visibilityState !== 'visible') {
    notify(notificationTitle(notification), notification.body, notification.link, {
      tag: `xietong-${notification.id}`,
      onOpen: () => void markOneRead(notification).catch(() => undefined),
    })
  }
}

function onRead(event: EventOf<'notification.read'>): void {
  heardDuringLoad = true
  const { ids, all, unread_count } = event.data
  latestItems.value = withRead(latestItems.value, all ? 'all' : ids)
  unread.value = unread_count
}

/** Marks one read (at once here, then on the server, which tells the other tabs). */
export async function markOneRead(notification: Notification): Promise<void> {
  if (notification.read_at !== null) return
  latestItems.value = withRead(latestItems.value, [notification.id])
  unread.value = Math.max(0, unread.value - 1)
  try {
    unread.value = (await markRead([notification.id])).unread_count
  } catch (error) {
    void reloadLatest() // shown as read, but it is not: show what the server has
    throw error
  }
}

export async function markEverythingRead(): Promise<void> {
  const result = await markAllRead()
  latestItems.value = withRead(latestItems.value, 'all')
  unread.value = result.unread_count
}

/** Follows the socket from now on (the app shell calls it before `startSocket`); idempotent. */
export function startNotifications(): void {
  if (unsubscribers.length) return
  unsubscribers = [
    onEvent('notification.created', onCreated),
    onEvent('notification.read', onRead),
    onResync(() => void reloadLatest()),
  ]
}

function stopNotifications(): void {
  for (const unsubscribe of unsubscribers) unsubscribe()
  unsubscribers = []
  loadCount += 1
  unread.value = 0
  latestItems.value = []
  loaded.value = false
  failure.value = null
}
// The next person signing in on this tab sees none of this one's notifications.
onSessionEnd(stopNotifications)
