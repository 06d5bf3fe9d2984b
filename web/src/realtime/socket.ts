/**
 * The one WebSocket a signed-in tab keeps open (`/api/v1/events/ws`), whatever page it shows.
 * The app shell starts it once the session is known (`startSocket`); it stops when the
 * session ends, however it ends. Stores do not own it: they subscribe to the frames they
 * care about by type (`onEvent`, `onFrame`) and reload their state when told to (`onResync`).
 *
 * It reconnects by itself with exponential backoff (plus jitter, so a restarted
 * server is not hit by every client at once) and resumes from the id of the last
 * event it handled: the server replays whatever was missed, once and in order.
 * Ephemeral frames (typing, presence, pong) carry no id and are never replayed.
 * When the events after its position were pruned from the server's log (4410
 * `resync_required`), it drops the position and reconnects afresh; the hello then says
 * "not resumed" and the stores reload their state.
 *
 * Frame types come from the server's OpenAPI document (`api/schema.d.ts`).
 */
import { readonly, ref } from 'vue'
import { reportUnauthorized } from '../api/client'
import type { EphemeralFrame, EphemeralOf, EventFrame, EventOf, EventType, SocketFrame } from '../api/types'
import { onSessionEnd } from '../auth/session'

export type { EventFrame } from '../api/types'
export type EphemeralType = EphemeralFrame['type']
export type SocketState = 'connecting' | 'open' | 'closed'

// The server closes a socket it has heard nothing from for XIETONG_WS_IDLE_SECONDS (120 s by
// default; 4408, and we reconnect): the pings keep a live tab's socket open, even when a
// background tab's timers are held back to one a minute.
const PING_EVERY_MS = 25_000
const PONG_WITHIN_MS = 10_000
const MAX_BACKOFF_MS = 15_000
// Close codes after which reconnecting cannot help (API: 4401 signed out, 4403 wrong origin).
const FINAL_CLOSE_CODES = new Set([4401, 4403])
// The events after our position were pruned from the server's log (API: 4410): reconnect
// without a position, so the hello says "not resumed" and the state is reloaded.
const RESYNC_CLOSE_CODE = 4410

const state = ref<SocketState>('closed')
/** Whether the socket is up; the UI shows "reconnecting…" while it is not. */
export const socketState = readonly(state)
// When a connection last closed (0: none yet this session).
let closedAt = 0

/** When the socket's connection last closed (0: none has): what was answered before then
 * may have changed unheard, and the next `onResync` is the moment to ask again. */
export function lastClosedAt(): number {
  return closedAt
}

let socket: WebSocket | null = null
let lastEventId: number | null = null
let attempts = 0
let reconnectTimer: number | undefined
let pingTimer: number | undefined
let pongTimer: number | undefined
let wanted = false
let watched: number[] = []

const eventHandlers = new Map<string, Set<(event: EventFrame) => void>>()
const frameHandlers = new Map<string, Set<(frame: EphemeralFrame) => void>>()
const openHandlers = new Set<(resumed: boolean) => void>()

function subscribe<F>(registry: Map<string, Set<(frame: F) => void>>, types: readonly string[],
  handler: (frame: F) => void): () => void {
  for (const type of types) {
    if (!registry.has(type)) registry.set(type, new Set())
    registry.get(type)!.add(handler)
  }
  return () => {
    for (const type of types) registry.get(type)?.delete(handler)
  }
}

function dispatch<F extends { type: string }>(registry: Map<string, Set<(frame: F) => void>>, frame: F): void {
  // A copy: a handler may unsubscribe (itself or another) while it runs.
  for (const handler of [...(registry.get(frame.type) ?? [])]) handler(frame)
}

/** Logged events of these types, in order, once each (live or replayed). Returns an unsubscribe. */
export function onEvent<T extends EventType>(types: T | readonly T[], handler: (event: EventOf<T>) => void): () => void {
  const list: readonly T[] = typeof types === 'string' ? [types] : types
  return subscribe(eventHandlers, list, handler as (event: EventFrame) => void)
}

/** Ephemeral frames of these types (typing, presence, error …). Returns an unsubscribe. */
export function onFrame<T extends EphemeralType>(types: T | readonly T[], handler: (frame: EphemeralOf<T>) => void): () => void {
  const list: readonly T[] = typeof types === 'string' ? [types] : types
  return subscribe(frameHandlers, list, handler as (frame: EphemeralFrame) => void)
}

/** Called after every (re)connection; `resumed` is false when the client must reload its state. */
export function onOpen(handler: (resumed: boolean) => void): () => void {
  openHandlers.add(handler)
  return () => openHandlers.delete(handler)
}

/**
 * Called when the socket connected afresh rather than resuming (the first connection, or the
 * server lost or pruned our position): events may have been missed, so reload what you show.
 */
export function onResync(handler: () => void): () => void {
  return onOpen((resumed) => {
    if (!resumed) handler()
  })
}

function socketUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  const query = lastEventId !== null ? `?last_event_id=${lastEventId}` : ''
  return `${scheme}//${location.host}/api/v1/events/ws${query}`
}

function send(frame: Record<string, unknown>): boolean {
  if (socket?.readyState !== WebSocket.OPEN) return false
  socket.send(JSON.stringify(frame))
  return true
}

function clearTimers(): void {
  window.clearTimeout(reconnectTimer)
  window.clearInterval(pingTimer)
  window.clearTimeout(pongTimer)
}

function scheduleReconnect(): void {
  if (!wanted) return
  window.clearTimeout(reconnectTimer)
  const base = Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempts)
  attempts += 1
  reconnectTimer = window.setTimeout(connect, base / 2 + Math.random() * (base / 2))
}

function connect(): void {
  if (!wanted || socket) return
  state.value = 'connecting'
  const ws = new WebSocket(socketUrl())
  socket = ws
  let helloSeen = false
  // The server says why before it closes a signed-out socket; kept in case a proxy loses the code.
  let unauthorized = false

  ws.onmessage = (message: MessageEvent<string>) => {
    let frame: SocketFrame
    try {
      frame = JSON.parse(message.data) as SocketFrame
    } catch {
      return
    }
    if ('id' in frame) {
      // Replays and live events never overlap (the server guarantees it); the check only
      // guards against a handler bug applying an event twice.
      if (lastEventId !== null && frame.id <= lastEventId) return
      lastEventId = frame.id
      dispatch(eventHandlers, frame)
      return
    }
    if (frame.type === 'hello') {
      helloSeen = true
      attempts = 0
      state.value = 'open'
      const resumed = frame.data.resumed
      if (!resumed) lastEventId = frame.data.last_event_id
      if (watched.length) send({ type: 'watch_presence', user_ids: watched })
      sayWhetherSeen()
      pingTimer = window.setInterval(ping, PING_EVERY_MS)
      for (const handler of [...openHandlers]) handler(resumed)
      return
    }
    if (frame.type === 'pong') {
      window.clearTimeout(pongTimer)
      return
    }
    if (frame.type === 'error') {
      const code = frame.data.code
      if (code === 'unauthorized') unauthorized = true
      // The server does not know our position (its log was reset), or pruned the events
      // after it: start afresh.
      if (code === 'bad_last_event_id' || code === 'resync_required') lastEventId = null
    }
    dispatch(frameHandlers, frame)
  }

  ws.onclose = (event: CloseEvent) => {
    if (socket !== ws) return // stopped by stopSocket, which cleaned up already
    socket = null
    clearTimers()
    state.value = 'closed'
    closedAt = Date.now()
    if (unauthorized || FINAL_CLOSE_CODES.has(event.code)) {
      wanted = false
      // Signed out (expired, elsewhere, revoked, deactivated): the same path as a 401, which
      // ends the session (and so stops this socket for good) and asks to sign in again.
      if (unauthorized || event.code === 4401) reportUnauthorized()
      return
    }
    if (!helloSeen && event.code === 4400) lastEventId = null
    if (event.code === RESYNC_CLOSE_CODE) {
      lastEventId = null
      attempts = 0 // not a failing server: come back at once and reload
    }
    scheduleReconnect()
  }
}

function ping(): void {
  if (!send({ type: 'ping' })) return
  window.clearTimeout(pongTimer)
  // No answer in time: the connection is dead without having said so (a sleeping laptop,
  // a dropped Wi-Fi). Close it; onclose reconnects.
  pongTimer = window.setTimeout(() => socket?.close(), PONG_WITHIN_MS)
}

/** A nudge from outside (the browser is back online, the tab became visible). */
function reconnectNow(): void {
  if (!wanted) return
  if (socket) {
    ping()
    return
  }
  attempts = 0
  window.clearTimeout(reconnectTimer)
  connect()
}

/** Opens the tab's socket (the app shell does, once signed in); idempotent. */
export function startSocket(): void {
  if (wanted) return
  wanted = true
  lastEventId = null
  attempts = 0
  connect()
}

export function stopSocket(): void {
  wanted = false
  clearTimers()
  const ws = socket
  socket = null
  ws?.close(1000)
  state.value = 'closed'
  lastEventId = null
  watched = []
  closedAt = 0
}
// The next user of this tab gets a socket of their own, and none of this one's position.
onSessionEnd(stopSocket)

export function sendTyping(channelId: number): void {
  send({ type: 'typing', channel_id: channelId })
}

/** Presence changes of these people are pushed while the socket is open (and after reconnects). */
export function watchPresence(userIds: number[]): void {
  const next = [...new Set(userIds)].sort((a, b) => a - b).slice(0, 1000)
  if (next.length === watched.length && next.every((id, i) => id === watched[i])) return
  watched = next
  send({ type: 'watch_presence', user_ids: watched })
}

/**
 * A tab in the background is "away": colleagues see it, and the server then notifies this
 * person of direct messages (the notification centre's pop-ups only come while away).
 * A socket starts "online", so only a hidden tab needs saying so after a (re)connect.
 */
function sayWhetherSeen(): void {
  if (document.visibilityState !== 'visible') send({ type: 'presence', status: 'away' })
}

// The one place that reconnects on these (the chat store only flushes its outbox on 'online').
window.addEventListener('online', reconnectNow)
document.addEventListener('visibilitychange', () => {
  const seen = document.visibilityState === 'visible'
  send({ type: 'presence', status: seen ? 'online' : 'away' })
  if (seen) reconnectNow()
})
