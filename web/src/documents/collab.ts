/**
 * One person's co-editing session of a page: its Yjs document, kept in step with the server's
 * over `GET /api/v1/pages/{id}/collab` by y-websocket's provider (the session cookie
 * authenticates it: same origin), and who else is there (awareness).
 *
 * The socket's close codes (docs/api.md "Co-editing and versions"): 4409 the page's room was
 * reset — the session starts over with a fresh document (never pushing an old replica into a
 * replaced one); 4403 `read_only` / `access_revoked`, 4404, 4401, 4400, 4413 — it stops and
 * says why; anything else (a dropped network, 4008 too slow) reconnects with backoff.
 */
import { ref, shallowRef, type Ref } from 'vue'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { reportUnauthorized } from '../api/client'
import { collabBase } from './api'

export type CollabStatus = 'connecting' | 'saving' | 'saved' | 'offline' | 'stopped'

/** Why the session stopped for good (until the person reloads). */
export type StopReason = 'read_only' | 'access_revoked' | 'not_found' | 'too_big' | 'bad_update' | 'signed_out'

export interface CollabUser {
  id: number
  name: string
  color: string
}

export interface Presence extends CollabUser {
  /** Awareness client ids of this person's tabs. */
  clients: number[]
}

// Dark enough that white text on them reads at 4.5:1 (the carets' name labels).
const COLOURS = ['#245bdb', '#b03d00', '#1d6b34', '#8a3ab9', '#b42323', '#0f6b78', '#7a5200', '#4b52c8']

export function colourOf(userId: number): string {
  return COLOURS[userId % COLOURS.length] ?? '#245bdb'
}

// The server answers a query for awareness with who is there: asked this often, it keeps the
// provider from taking a quiet page (someone alone on it) for a dead connection (y-websocket
// reconnects after 30 s without a message).
const KEEPALIVE_MS = 10_000
const QUERY_AWARENESS = new Uint8Array([3])

export interface CollabSession {
  doc: Y.Doc
  provider: WebsocketProvider
  status: Readonly<Ref<CollabStatus>>
  stopped: Readonly<Ref<StopReason | null>>
  /** Once the server's document has arrived (the first sync). */
  synced: Readonly<Ref<boolean>>
  people: Readonly<Ref<Presence[]>>
  destroy: () => void
}

function stopReason(code: number, reason: string): StopReason | 'reset' {
  if (code === 4409) return 'reset'
  if (code === 4401) return 'signed_out'
  if (code === 4404) return 'not_found'
  if (code === 4413 || code === 1009) return 'too_big'
  if (code === 4400) return 'bad_update'
  return reason === 'read_only' ? 'read_only' : 'access_revoked'
}

/**
 * Opens the session; `onReset` is called when the server reset the page's room (4409): the
 * caller makes a new session with a fresh document.
 */
export function openSession(pageId: number, user: CollabUser, onReset: () => void): CollabSession {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(collabBase(), `${pageId}/collab`, doc, {
    // The server is the one truth: no tab-to-tab shortcut around its permission checks.
    disableBc: true,
    maxBackoffTime: 8000,
    // 44xx: the server decided (see above); 1009: a frame too big to take, which a reconnect
    // would only send again.
    shouldReconnect: (event: CloseEvent) => !(event.code >= 4400 && event.code < 4500) && event.code !== 1009,
  })
  const status = ref<CollabStatus>('connecting')
  const stopped = ref<StopReason | null>(null)
  const synced = ref(false)
  const people = shallowRef<Presence[]>([])
  let unsent = false
  let flushTimer: number | undefined

  function refresh(): void {
    if (stopped.value) status.value = 'stopped'
    else if (!provider.wsconnected) status.value = synced.value || unsent ? 'offline' : 'connecting'
    else if (!provider.synced) status.value = 'connecting'
    else status.value = unsent ? 'saving' : 'saved'
  }

  // A change of ours is "saved" once the socket has handed it over (the server stores each
  // change before it relays it).
  function watchFlush(): void {
    window.clearTimeout(flushTimer)
    const ws = provider.ws
    if (provider.wsconnected && ws && ws.bufferedAmount === 0) {
      flushTimer = window.setTimeout(() => {
        unsent = false
        refresh()
      }, 250)
    } else {
      flushTimer = window.setTimeout(watchFlush, 250)
    }
  }

  doc.on('update', (_update: Uint8Array, origin: unknown) => {
    if (origin === provider) return
    unsent = true
    refresh()
    watchFlush()
  })
  provider.on('status', () => refresh())
  provider.on('sync', (isSynced: boolean) => {
    if (isSynced) synced.value = true
    refresh()
  })
  provider.on('closed', ({ code, reason }: { code: number; reason: string }) => {
    const why = stopReason(code, reason)
    if (why === 'reset') {
      onReset()
      return
    }
    stopped.value = why
    refresh()
    if (why === 'signed_out') reportUnauthorized()
  })

  provider.awareness.setLocalStateField('user', user)
  function readPeople(): void {
    const byUser = new Map<number, Presence>()
    for (const [client, state] of provider.awareness.getStates()) {
      const who = (state as { user?: Partial<CollabUser> }).user
      if (!who || typeof who.id !== 'number' || typeof who.name !== 'string') continue
      const known = byUser.get(who.id)
      if (known) known.clients.push(client)
      else byUser.set(who.id, { id: who.id, name: who.name, color: typeof who.color === 'string' ? who.color : colourOf(who.id), clients: [client] })
    }
    // The person themself first, then the others in the order they came.
    people.value = [...byUser.values()].sort((a, b) => Number(b.id === user.id) - Number(a.id === user.id))
  }
  provider.awareness.on('change', readPeople)
  readPeople()

  const keepalive = window.setInterval(() => {
    const ws = provider.ws
    if (provider.wsconnected && ws && ws.readyState === WebSocket.OPEN) ws.send(QUERY_AWARENESS)
  }, KEEPALIVE_MS)
  const online = (): void => {
    if (!stopped.value) provider.connect()
  }
  window.addEventListener('online', online)

  return {
    doc,
    provider,
    status,
    stopped,
    synced,
    people,
    destroy: () => {
      window.clearInterval(keepalive)
      window.clearTimeout(flushTimer)
      window.removeEventListener('online', online)
      provider.awareness.off('change', readPeople)
      provider.destroy()
      doc.destroy()
    },
  }
}
