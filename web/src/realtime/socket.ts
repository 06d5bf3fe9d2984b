/**
 * The one WebSocket a signed-in tab keeps open (`/api/v1/events/ws`).
 *
 * It reconnects by itself with exponential backoff (plus jitter, so a restarted
 * server is not hit by every client at once) and resumes from the id of the last
 * event it handled: the server replays whatever was missed, once and in order.
 * Ephemeral frames (typing, presence, pong) carry no id and are never replayed.
 * When the events after its position were pruned from the server's log (4410
 * `resync_required`), it drops the position and reconnects afresh; the hello then says
 * "not resumed" and the stores reload their state.
 */
import { readonly, ref } from 'vue'

export interface LoggedEvent {
  id: number
  type: string
  channel_id: number | null
  data: Record<string, unknown>
}

export interface EphemeralFrame {
  type: string
  channel_id: number | null
  data: Record<string, unknown>
}

export type SocketState = 'connecting' | 'open' | 'closed'

type EventHandler = (event: LoggedEvent) => void
type FrameHandler = (frame: EphemeralFrame) => void

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

let socket: WebSocket | null = null
let lastEventId: number | null = null
let attempts = 0
let reconnectTimer: number | undefined
let pingTimer: number | undefined
let pongTimer: number | undefined
let wanted = false
let watched: number[] = []

const eventHandlers = new Set<EventHandler>()
const frameHandlers = new Set<FrameHandler>()
const openHandlers = new Set<(resumed: boolean) => void>()
const unauthorizedHandlers = new Set<() => void>()

export function onEvent(handler: EventHandler): () => void {
  eventHandlers.add(handler)
  return () => eventHandlers.delete(handler)
}
export function onFrame(handler: FrameHandler): () => void {
  frameHandlers.add(handler)
  return () => frameHandlers.delete(handler)
}
/** Called after every (re)connection; `resumed` is false when the client must reload its state. */
export function onOpen(handler: (resumed: boolean) => void): () => void {
  openHandlers.add(handler)
  return () => openHandlers.delete(handler)
}
/** The server closed the socket because the session is gone (4401): reconnecting cannot help. */
export function onSocketUnauthorized(handler: () => void): () => void {
  unauthorizedHandlers.add(handler)
  return () => unauthorizedHandlers.delete(handler)
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
    let frame: LoggedEvent | EphemeralFrame
    try {
      frame = JSON.parse(message.data) as LoggedEvent | EphemeralFrame
    } catch {
      return
    }
    if (frame.type === 'hello') {
      helloSeen = true
      attempts = 0
      state.value = 'open'
      const resumed = frame.data.resumed === true
      if (!resumed) lastEventId = Number(frame.data.last_event_id)
      if (watched.length) send({ type: 'watch_presence', user_ids: watched })
      pingTimer = window.setInterval(ping, PING_EVERY_MS)
      for (const handler of openHandlers) handler(resumed)
      return
    }
    if (frame.type === 'pong') {
      window.clearTimeout(pongTimer)
      return
    }
    if ('id' in frame && typeof frame.id === 'number') {
      // Replays and live events never overlap (the server guarantees it); the check only
      // guards against a handler bug applying an event twice.
      if (lastEventId !== null && frame.id <= lastEventId) return
      lastEventId = frame.id
      for (const handler of eventHandlers) handler(frame)
      return
    }
    if (frame.type === 'error' && frame.data.code === 'unauthorized') unauthorized = true
    const code = frame.type === 'error' ? frame.data.code : undefined
    if (code === 'bad_last_event_id' || code === 'resync_required') {
      // The server does not know our position (its log was reset), or pruned the events
      // after it: start afresh.
      lastEventId = null
    }
    for (const handler of frameHandlers) handler(frame)
  }

  ws.onclose = (event: CloseEvent) => {
    if (socket !== ws) return // stopped by stopSocket, which cleaned up already
    socket = null
    clearTimers()
    state.value = 'closed'
    if (unauthorized || FINAL_CLOSE_CODES.has(event.code)) {
      wanted = false
      if (unauthorized || event.code === 4401) for (const handler of [...unauthorizedHandlers]) handler()
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
}

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

// The one place that reconnects on these (the chat store only flushes its outbox on 'online').
window.addEventListener('online', reconnectNow)
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') reconnectNow()
})
