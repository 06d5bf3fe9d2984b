/**
 * The chat state of this tab: my channels with their unread and mention counts,
 * the loaded history of each channel, open threads, messages waiting to be sent,
 * typing and presence. HTTP loads it; the event socket keeps it current.
 *
 * Every message typed here gets a `client_msg_id` and goes through one outbox
 * that retries after network failures; the server answers a repeated id with
 * the first message, so a retry never makes a duplicate.
 */
import { reactive, ref, shallowRef, watch } from 'vue'
import { ApiError, request } from '../api/client'
import type { ItemList } from '../api/types'
import { currentUser, onSessionEnd } from '../auth/session'
import { translate } from '../i18n'
import { errorText } from '../ui/errors'
import { onEvent, onFrame, onOpen, onResync, watchPresence, type EventFrame } from '../realtime/socket'
import * as chatApi from './api'
import { unreadTotal } from './badge'
import { newClientId } from './ids'
import { displayName } from './people'
import type { AckStatus, Channel, Message, MessagePage, MyChannel, PendingMessage } from './types'

export interface History {
  items: Message[]
  /** Cursor for older messages; null when the start of the channel is loaded. */
  older: number | null
  /** Cursor for newer messages; null when the newest message is loaded. */
  newer: number | null
  loading: boolean
}

export const channels = ref<MyChannel[]>([])
export const channelsLoaded = ref(false)
export const channelsError = shallowRef<unknown>(null)
/** The conversation on screen, if any (set by the conversation view). */
export const activeChannelId = ref<number | null>(null)
const histories = reactive(new Map<number, History>())
const threads = reactive(new Map<number, Message[]>())
/** channel id → user id → that member's last read message id (for "n unread" under mine). */
const reads = reactive(new Map<number, Map<number, number>>())
const ackStatuses = reactive(new Map<number, AckStatus>())
// Reminders counted in a channel's badge, by channel: another about the same message adds
// nothing until the badge is seen (the server counts a waiting reminder once, too).
const remindersInBadge = new Map<number, Set<number>>()
/** channel id → user id → when their "typing" stops showing (ms). */
const typingUntil = reactive(new Map<number, Map<number, number>>())
const presence = reactive(new Map<number, string>())
export const pending = ref<PendingMessage[]>([])
/** Bumped by stopChat: work begun for one signed-in user must not touch the next one's state. */
let chatSession = 0

const me = (): number => currentUser.value?.id ?? 0

export function channelById(id: number): MyChannel | undefined {
  return channels.value.find((c) => c.id === id)
}

export function history(channelId: number): History | undefined {
  return histories.get(channelId)
}

export function threadReplies(rootId: number): Message[] | undefined {
  return threads.get(rootId)
}

export function presenceOf(userId: number): string {
  return presence.get(userId) ?? 'offline'
}

export function typingIn(channelId: number): number[] {
  const now = Date.now()
  return [...(typingUntil.get(channelId)?.entries() ?? [])].filter(([, until]) => until > now).map(([id]) => id)
}

export function ackStatus(messageId: number): AckStatus | undefined {
  return ackStatuses.get(messageId)
}

watch(
  channels,
  (list) => {
    unreadTotal.value = list.reduce((sum, c) => sum + c.unread_count, 0)
  },
  { deep: true },
)

/** The people a DM is with, without me (a DM with oneself names oneself). */
export function dmPartners(channel: MyChannel): number[] {
  const others = (channel.member_ids ?? []).filter((id) => id !== me())
  return others.length ? others : [me()]
}

export function channelTitle(channel: MyChannel): string {
  if (channel.kind !== 'dm') return channel.name
  return dmPartners(channel)
    .map((id) => displayName(id))
    .join(translate('common.listSeparator'))
}

// ---- loading ------------------------------------------------------------------------

// Started by main.ts before the session check finishes, so the first conversation's data
// travels alongside the app's code; a 401 here is left to the router's sign-in redirect.
let earlyChannels: Promise<MyChannel[]> | null = null
let earlyHistory: { channelId: number; page: Promise<MessagePage> } | null = null

export function prefetchChat(channelId: number | null): void {
  earlyChannels = request<ItemList<MyChannel>>('/api/v1/channels', { redirectOn401: false }).then((r) => r.items)
  earlyChannels.catch(() => undefined)
  if (channelId !== null) {
    const page = request<MessagePage>(`/api/v1/channels/${channelId}/messages`, { query: { limit: 50 }, redirectOn401: false })
    page.catch(() => undefined)
    earlyHistory = { channelId, page }
  }
}

let channelsLoad: Promise<void> | null = null
let channelsReload: Promise<void> | null = null

/** Loads my channels. Calls made while a load is under way share it rather than fetch again. */
export function loadChannels(): Promise<void> {
  if (channelsLoad) return channelsLoad
  const load = fetchChannels(chatSession).finally(() => {
    if (channelsLoad === load) channelsLoad = null
  })
  channelsLoad = load
  return load
}

/**
 * Loads my channels as they are now, after something changed them (I was added somewhere, a
 * conversation was just made): a load already under way may have been read before the change,
 * so this one waits for it and loads again. Calls meanwhile share that second load.
 */
export function reloadChannels(): Promise<void> {
  if (!channelsLoad) return loadChannels()
  const session = chatSession
  channelsReload ??= channelsLoad.then(() => {
    channelsReload = null
    return session === chatSession ? loadChannels() : undefined
  })
  return channelsReload
}

/** Counts the chat events the socket brought; a channel list read while it moved may be stale. */
let eventsSeen = 0
/** A list read while events kept arriving is read again, at most this many times in all. */
const CHANNEL_READS = 3

async function fetchChannels(session: number): Promise<void> {
  try {
    const early = earlyChannels
    earlyChannels = null
    let list: MyChannel[] = []
    for (let read = 1; read <= CHANNEL_READS; read++) {
      const before = eventsSeen
      list = read === 1 && early ? await early.catch(() => chatApi.listMyChannels()) : await chatApi.listMyChannels()
      // Events that arrived meanwhile were counted into the list on screen, and may not be in
      // this copy (read before they were committed): replacing it would undo them.
      if (eventsSeen === before) break
    }
    if (session !== chatSession) return // signed out meanwhile
    channels.value = list
    channelsError.value = null
    channelsLoaded.value = true
    watchPresence(channels.value.flatMap((c) => (c.kind === 'dm' ? dmPartners(c) : [])))
  } catch (error) {
    if (session === chatSession) channelsError.value = error
  }
}

function upsert(list: Message[], message: Message): void {
  const at = list.findIndex((m) => m.id === message.id)
  if (at >= 0) {
    list[at] = message
    return
  }
  let index = list.length
  while (index > 0 && list[index - 1]!.id > message.id) index -= 1
  list.splice(index, 0, message)
}

/**
 * Puts an older or newer page into the history it was fetched for. If that history has been
 * replaced meanwhile (a jump to the latest messages, a search hit), the page belongs to
 * nothing on screen and is dropped.
 */
function applyPage(channelId: number, page: MessagePage, direction: 'older' | 'newer', target: History): void {
  const current = histories.get(channelId)
  if (current !== target) return
  for (const message of page.items) upsert(current.items, message)
  if (direction === 'older') current.older = page.before
  else current.newer = page.after
}

/**
 * The newest page (around === null) or the page around a message becomes the channel's
 * history. A newest page that overlaps what is loaded is merged into it instead, so the list
 * on screen keeps its older pages, its scroll position and its "new messages" divider.
 */
function applyOpenedPage(channelId: number, page: MessagePage, around: number | null): void {
  const current = histories.get(channelId)
  const first = page.items[0]
  const last = current?.items[current.items.length - 1]
  if (around === null && current && first && last && first.id <= last.id) {
    for (const message of page.items) upsert(current.items, message)
    current.newer = null
    return
  }
  // The newest page has nothing after it, whatever cursor the server offers for later.
  histories.set(channelId, { items: page.items, older: page.before, newer: around === null ? null : page.after, loading: false })
}

/**
 * Message events that arrive while a page or thread is being fetched are applied to what is
 * loaded then, and again to what the fetch brings (which may predate them): without that, a
 * reply or an edit landing during the fetch would be overwritten by the older copy, or lost
 * where nothing was loaded yet. Every message event applies idempotently.
 */
const recorders = new Set<MessageChange[]>()

async function fetchAndApply<T>(fetch: () => Promise<T>, apply: (result: T) => void): Promise<T> {
  const seen: MessageChange[] = []
  recorders.add(seen)
  try {
    const result = await fetch()
    apply(result)
    for (const event of seen) applyMessageEvent(event)
    return result
  } finally {
    recorders.delete(seen)
  }
}

/**
 * Opens a channel's history: the newest page, or the page around one message (a search hit).
 * What is loaded stays on screen until the new page is there; `refresh` fetches the newest
 * page even when it is loaded already, and `quiet` shows no loading state while it does.
 */
export async function openHistory(
  channelId: number,
  around: number | null = null,
  { refresh = false, quiet = false }: { refresh?: boolean; quiet?: boolean } = {},
): Promise<void> {
  const existing = histories.get(channelId)
  if (existing && around === null && existing.newer === null && !refresh) return
  const early = around === null && earlyHistory?.channelId === channelId ? earlyHistory.page : null
  earlyHistory = null
  const session = chatSession
  const showLoading = existing && !quiet ? existing : null
  if (showLoading) showLoading.loading = true
  try {
    await fetchAndApply(
      () => (early ? early.catch(() => chatApi.listMessages(channelId, {})) : chatApi.listMessages(channelId, around === null ? {} : { around })),
      (page) => {
        if (session === chatSession) applyOpenedPage(channelId, page, around)
      },
    )
  } finally {
    if (showLoading) showLoading.loading = false
  }
}

/** Loads the next page before (older) or after (newer) what is loaded; false when there is none. */
export async function loadMore(channelId: number, direction: 'older' | 'newer'): Promise<boolean> {
  const current = histories.get(channelId)
  if (!current || current.loading) return false
  const cursor = direction === 'older' ? current.older : current.newer
  if (cursor === null) return false
  current.loading = true
  try {
    await fetchAndApply(
      () => chatApi.listMessages(channelId, direction === 'older' ? { before: cursor } : { after: cursor }),
      (page) => applyPage(channelId, page, direction, current),
    )
    return true
  } finally {
    current.loading = false
  }
}

/**
 * Opens (or reopens) the DM with these people and makes sure it is among my channels before
 * the caller goes there: the socket's channel.member_added for a new one may arrive after the
 * reply, and a conversation missing from the list shows as one I am not a member of.
 */
export async function startDm(userIds: number[]): Promise<Channel> {
  const channel = await chatApi.openDm(userIds)
  if (!channelById(channel.id)) await reloadChannels()
  return channel
}

/** Back to the newest messages (after a jump into older history). */
export function jumpToLatest(channelId: number): Promise<void> {
  return openHistory(channelId, null, { refresh: true })
}

export async function loadThread(rootId: number): Promise<Message | null> {
  // Open the list before asking, so replies that arrive live meanwhile are kept and merged.
  if (!threads.has(rootId)) threads.set(rootId, [])
  const thread = await fetchAndApply(
    () => chatApi.getThread(rootId),
    (found) => {
      const replies = threads.get(rootId)
      if (replies) for (const reply of found.replies) upsert(replies, reply)
      else threads.set(rootId, found.replies)
      const history = histories.get(found.root.channel_id)
      if (history) {
        const at = history.items.findIndex((m) => m.id === rootId)
        if (at >= 0) history.items[at] = found.root
      }
    },
  )
  return thread.root
}

export function closeThread(rootId: number): void {
  threads.delete(rootId)
}

export async function loadReads(channelId: number): Promise<void> {
  const members = await chatApi.listMembers(channelId)
  reads.set(channelId, new Map(members.map((m) => [m.user_id, m.last_read_id])))
  watchPresence([
    ...channels.value.flatMap((c) => (c.kind === 'dm' ? dmPartners(c) : [])),
    ...members.slice(0, 300).map((m) => m.user_id),
  ])
}

export function memberIds(channelId: number): number[] {
  return [...(reads.get(channelId)?.keys() ?? [])]
}

/** How many members other than the sender have not read this message yet (null: unknown). */
export function unreadBy(message: Message): number | null {
  const members = reads.get(message.channel_id)
  if (!members) return null
  let count = 0
  for (const [userId, lastRead] of members) {
    if (userId !== message.sender_id && lastRead < message.id) count += 1
  }
  return count
}

export async function loadAcks(messageId: number): Promise<void> {
  try {
    ackStatuses.set(messageId, await chatApi.getAcks(messageId))
  } catch {
    // A deleted notice asks for nothing any more; nothing to show.
  }
}

// ---- read state -----------------------------------------------------------------------

const readTimers = new Map<number, number>()

/** The channel's badge has been seen: nothing unread, nothing calling for attention. */
function clearBadge(channel: MyChannel): void {
  channel.unread_count = 0
  channel.mention_count = 0
  remindersInBadge.delete(channel.id)
}

/** Marks the channel read up to `messageId` (debounced: scrolling through sends one call). */
export function markReadUpTo(channelId: number, messageId: number): void {
  const channel = channelById(channelId)
  if (!channel) return
  // Telling the server is worth it when the marker moves, or when the badge shows something
  // the marker does not (a reminder about a message read before): seeing it clears it.
  if (messageId <= channel.last_read_id && channel.mention_count === 0) return
  channel.last_read_id = Math.max(channel.last_read_id, messageId)
  if (channel.last_message_id === null || messageId >= channel.last_message_id) clearBadge(channel)
  window.clearTimeout(readTimers.get(channelId))
  readTimers.set(
    channelId,
    window.setTimeout(() => {
      readTimers.delete(channelId)
      chatApi.markRead(channelId, channel.last_read_id).catch(() => {
        // The next read marks again; an unread badge that lingers is harmless.
      })
    }, 250),
  )
}

// ---- sending ----------------------------------------------------------------------------

const OUTBOX_KEY = (): string => `xietong.outbox.${me()}`

function saveOutbox(): void {
  try {
    localStorage.setItem(OUTBOX_KEY(), JSON.stringify(pending.value))
  } catch {
    // Storage full or disabled: the outbox still works for this visit.
  }
}

function restoreOutbox(): void {
  try {
    const raw = localStorage.getItem(OUTBOX_KEY())
    const stored = raw ? (JSON.parse(raw) as PendingMessage[]) : []
    pending.value = stored.map((p) => ({ ...p, status: 'failed' as const }))
  } catch {
    pending.value = []
  }
}

export function pendingIn(channelId: number, threadRootId: number | null): PendingMessage[] {
  return pending.value.filter((p) => p.channel_id === channelId && p.thread_root_id === threadRootId)
}

/** The chatSession whose outbox is being flushed, if any. */
let flushing: number | null = null
let retryTimer: number | undefined

function settle(clientMsgId: string, message: Message): void {
  pending.value = pending.value.filter((p) => p.client_msg_id !== clientMsgId)
  saveOutbox()
  receive(message)
}

/**
 * Sends what is waiting, oldest first; stops at the first network failure and retries later.
 * It works through the live outbox, so a message added (or retried) while a send is under way
 * goes out in the same run instead of waiting for the next trigger.
 */
async function flushOutbox(): Promise<void> {
  const session = chatSession
  if (flushing === session) return
  flushing = session
  window.clearTimeout(retryTimer)
  try {
    // Each turn either sends the item (settle removes it), marks it refused (error set) or
    // stops the run, so the loop ends.
    for (;;) {
      if (session !== chatSession) return // signed out meanwhile: the outbox is another user's now
      const item = pending.value.find((p) => p.error === null) // refused ones wait for a manual retry
      if (!item) return
      item.status = 'sending'
      try {
        const message = await chatApi.sendMessage(item.channel_id, {
          text: item.text,
          client_msg_id: item.client_msg_id,
          thread_root_id: item.thread_root_id,
          file_ids: item.file_ids,
          ack_required: item.ack_required,
        })
        if (session !== chatSession) return
        settle(item.client_msg_id, message)
      } catch (error) {
        if (session !== chatSession) return
        item.status = 'failed'
        if (error instanceof ApiError && error.status !== 0 && error.status < 500 && error.status !== 429) {
          item.error = errorText(error)
          saveOutbox()
          continue
        }
        // Offline or the server is restarting: try again soon, and at once when back online.
        retryTimer = window.setTimeout(() => void flushOutbox(), 3000)
        return
      }
    }
  } finally {
    if (flushing === session) flushing = null
  }
}

export function send(
  channelId: number,
  text: string,
  options: { threadRootId?: number | null; fileIds?: number[]; ackRequired?: boolean } = {},
): void {
  pending.value.push({
    client_msg_id: newClientId(),
    channel_id: channelId,
    text,
    thread_root_id: options.threadRootId ?? null,
    file_ids: options.fileIds ?? [],
    ack_required: options.ackRequired ?? false,
    created_at: new Date().toISOString(),
    status: 'sending',
    error: null,
  })
  saveOutbox()
  void flushOutbox()
}

export function retry(clientMsgId: string): void {
  const item = pending.value.find((p) => p.client_msg_id === clientMsgId)
  if (!item) return
  item.error = null
  item.status = 'sending'
  void flushOutbox()
}

export function discard(clientMsgId: string): void {
  pending.value = pending.value.filter((p) => p.client_msg_id !== clientMsgId)
  saveOutbox()
}

// ---- events -----------------------------------------------------------------------------

function mentionsMe(message: Message): boolean {
  const user = currentUser.value
  if (!user) return false
  return (
    message.mentions.all ||
    message.mentions.user_ids.includes(user.id) ||
    message.mentions.department_ids.some((id) => user.department_ids.includes(id))
  )
}

function eachCopy(messageId: number, change: (message: Message) => void): void {
  for (const h of histories.values()) {
    const found = h.items.find((m) => m.id === messageId)
    if (found) change(found)
  }
  for (const replies of threads.values()) {
    const found = replies.find((m) => m.id === messageId)
    if (found) change(found)
  }
}

/** A message from the server (an event, or the answer to my own send). */
function receive(message: Message): void {
  if (message.client_msg_id) {
    const before = pending.value.length
    pending.value = pending.value.filter((p) => p.client_msg_id !== message.client_msg_id)
    if (pending.value.length !== before) saveOutbox()
  }
  if (message.thread_root_id !== null) {
    const replies = threads.get(message.thread_root_id)
    if (replies) upsert(replies, message)
    return
  }
  const h = histories.get(message.channel_id)
  // Only where the newest messages are loaded; elsewhere scrolling down fetches them.
  if (h && h.newer === null) upsert(h.items, message)
  const channel = channelById(message.channel_id)
  if (channel && (channel.last_message_id ?? 0) < message.id) channel.last_message_id = message.id
}

function onMessageCreated(message: Message): void {
  const known = channelById(message.channel_id)
  // A message the channel list already counted (it was loaded after the message was sent,
  // and the event came after): counting it again would show 2 for 1.
  const alreadyCounted = known !== undefined && (known.last_message_id ?? 0) >= message.id
  receive(message)
  if (!known) {
    void reloadChannels() // a conversation I was just added to
    return
  }
  if (message.sender_id === me()) {
    markReadUpTo(message.channel_id, message.id)
    return
  }
  // Desktop pop-ups for mentions, direct messages and reminders come from the notification
  // centre (notifications/store.ts), which honours the person's preferences and quiet hours.
  if (message.thread_root_id !== null) return
  const watching = activeChannelId.value === message.channel_id && document.visibilityState === 'visible'
  if (!watching && !alreadyCounted) {
    known.unread_count += 1
    if (mentionsMe(message) || known.kind === 'dm') known.mention_count += 1
  }
}

const MESSAGE_EVENTS = [
  'message.created',
  'message.updated',
  'message.deleted',
  'reaction.added',
  'reaction.removed',
  'message.pinned',
] as const
/** The events that change loaded messages (recorded while a page or thread is fetched). */
type MessageChange = Extract<EventFrame, { type: (typeof MESSAGE_EVENTS)[number] }>

/** What a message event changes in the loaded messages (idempotent: it may be applied twice). */
function applyMessageEvent(event: MessageChange): void {
  switch (event.type) {
    case 'message.created':
      receive(event.data.message)
      break
    case 'message.updated': {
      const updated = event.data.message
      eachCopy(updated.id, (m) => Object.assign(m, updated))
      break
    }
    case 'message.deleted':
      eachCopy(event.data.message_id, (m) => {
        m.deleted = true
        m.html = ''
        m.text = ''
        m.file_ids = []
        m.files = []
      })
      break
    case 'reaction.added':
    case 'reaction.removed': {
      const { emoji, user_id: userId } = event.data
      const added = event.type === 'reaction.added'
      eachCopy(event.data.message_id, (m) => {
        const users = (m.reactions[emoji] ?? []).filter((id) => id !== userId)
        if (added) users.push(userId)
        if (users.length) m.reactions[emoji] = users
        else delete m.reactions[emoji]
      })
      break
    }
    case 'message.pinned': {
      const pinned = event.data.pinned
      eachCopy(event.data.message_id, (m) => (m.pinned = pinned))
      break
    }
  }
}

/** Every event type this store follows. */
const CHAT_EVENTS = [
  ...MESSAGE_EVENTS,
  'channel.read',
  'channel.member_added',
  'channel.member_removed',
  'channel.updated',
  'message.acknowledged',
  'message.ack_reminder',
] as const

function handle(event: Extract<EventFrame, { type: (typeof CHAT_EVENTS)[number] }>): void {
  eventsSeen += 1
  switch (event.type) {
    case 'message.created':
      for (const seen of recorders) seen.push(event)
      onMessageCreated(event.data.message)
      break
    case 'message.updated':
    case 'message.deleted':
    case 'reaction.added':
    case 'reaction.removed':
    case 'message.pinned':
      for (const seen of recorders) seen.push(event)
      applyMessageEvent(event)
      break
    case 'channel.read': {
      if (event.channel_id === null) break
      const { user_id: userId, last_read_id: lastRead } = event.data
      if (userId === me()) {
        const channel = channelById(event.channel_id)
        if (channel && lastRead >= channel.last_read_id) {
          channel.last_read_id = lastRead
          if (lastRead >= (channel.last_message_id ?? 0)) clearBadge(channel)
        }
      }
      const members = reads.get(event.channel_id)
      if (members && (members.get(userId) ?? 0) < lastRead) members.set(userId, lastRead)
      break
    }
    case 'channel.member_added':
    case 'channel.member_removed': {
      if (event.data.user_ids.includes(me())) void reloadChannels()
      else if (event.channel_id !== null && reads.has(event.channel_id)) void loadReads(event.channel_id)
      break
    }
    case 'channel.updated': {
      const channel = event.channel_id === null ? undefined : channelById(event.channel_id)
      if (channel) {
        Object.assign(channel, event.data.channel)
        if (channel.archived) channel.can_post = false // read-only from now on
      }
      break
    }
    case 'message.ack_reminder': {
      const channel = event.channel_id === null ? undefined : channelById(event.channel_id)
      if (!channel) break
      const watching = activeChannelId.value === channel.id && document.visibilityState === 'visible'
      // In view: seen already (the server forgets it); otherwise it waits in the badge.
      if (watching) {
        void chatApi.markRead(channel.id, Math.max(channel.last_read_id, event.data.message_id)).catch(() => {})
        break
      }
      const counted = remindersInBadge.get(channel.id) ?? new Set<number>()
      if (counted.has(event.data.message_id)) break
      remindersInBadge.set(channel.id, counted.add(event.data.message_id))
      channel.mention_count += 1
      break
    }
    case 'message.acknowledged': {
      const status = ackStatuses.get(event.data.message_id)
      const userId = event.data.user_id
      if (status && !status.acknowledged.includes(userId)) {
        status.acknowledged.push(userId)
        status.pending = status.pending.filter((id) => id !== userId)
      }
      break
    }
  }
}

const TYPING_SHOWN_MS = 4000
const typingTimers = new Set<number>()

/** Someone is typing: show it for a few seconds, or longer if they keep on. */
function noteTyping(channelId: number, userId: number): void {
  if (!typingUntil.has(channelId)) typingUntil.set(channelId, new Map())
  // Read back through the reactive map: its proxy is what the view tracks (the plain Map is not).
  typingUntil.get(channelId)!.set(userId, Date.now() + TYPING_SHOWN_MS)
  const expire = window.setTimeout(() => {
    typingTimers.delete(expire)
    const channelTyping = typingUntil.get(channelId)
    const until = channelTyping?.get(userId)
    // A later frame moved the end further out: its own timer removes the entry then.
    if (channelTyping && until !== undefined && until <= Date.now()) channelTyping.delete(userId)
  }, TYPING_SHOWN_MS + 100)
  typingTimers.add(expire)
}

let started = false
const stops: (() => void)[] = []

/**
 * Starts the live chat state for the signed-in user (idempotent): the app shell does, on
 * every page, so unread counts stay live wherever the person is. It follows the shell's
 * socket; it does not own it.
 */
export function startChat(): void {
  if (started) return
  started = true
  restoreOutbox()
  stops.push(onEvent(CHAT_EVENTS, handle))
  stops.push(
    onResync(() => {
      // A fresh start (first connection, or the server lost our position or pruned the events
      // after it): reload what the socket did not replay. A resumed one got every missed event.
      // In place: what is on screen stays until the fresh copy is there.
      void loadChannels()
      for (const [id, loaded] of [...histories.entries()]) {
        if (id !== activeChannelId.value) histories.delete(id)
        // An older stretch (a search hit) gets no live messages anyway; scrolling down loads them.
        else if (loaded.newer === null) openHistory(id, null, { refresh: true, quiet: true }).catch(() => undefined)
      }
      // An open thread may have missed replies too.
      for (const rootId of [...threads.keys()]) loadThread(rootId).catch(() => undefined)
    }),
  )
  stops.push(onOpen(() => void flushOutbox()))
  stops.push(onFrame('typing', (frame) => {
    if (frame.channel_id !== null) noteTyping(frame.channel_id, frame.data.user_id)
  }))
  stops.push(onFrame('presence', (frame) => presence.set(frame.data.user_id, frame.data.status)))
  // Back online: send what waits. (The socket module reconnects by itself on this event.)
  const online = (): void => void flushOutbox()
  window.addEventListener('online', online)
  stops.push(() => window.removeEventListener('online', online))
}

/** Forgets everything of the signed-in user (the session ended, however it ended). */
function stopChat(): void {
  chatSession += 1
  earlyChannels = null
  earlyHistory = null
  channelsLoad = null
  channelsReload = null
  window.clearTimeout(retryTimer)
  for (const timer of readTimers.values()) window.clearTimeout(timer)
  readTimers.clear()
  for (const timer of typingTimers) window.clearTimeout(timer)
  typingTimers.clear()
  started = false
  for (const stop of stops.splice(0)) stop()
  channels.value = []
  channelsLoaded.value = false
  channelsError.value = null
  activeChannelId.value = null
  histories.clear()
  threads.clear()
  reads.clear()
  ackStatuses.clear()
  remindersInBadge.clear()
  typingUntil.clear()
  presence.clear()
  recorders.clear()
  pending.value = []
}
onSessionEnd(stopChat)
