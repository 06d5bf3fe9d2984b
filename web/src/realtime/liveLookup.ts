/**
 * Things a screen shows by id and the server may refuse to show — the tasks and pages chat
 * messages name, drawn as cards under them — asked for together and kept current.
 *
 * Every message asks for its ids as it renders; the ids are gathered for a moment and fetched
 * in one request (up to `batch` at a time), and each answer is kept for the tab's session —
 * one that may not be seen too (null), so it is not asked again. An event that changes one on
 * screen asks for it afresh, as does a fresh connection for every answer that came before the
 * connection dropped (what changed meanwhile was not heard). Signing out forgets everything.
 */
import { shallowReactive } from 'vue'
import { onSessionEnd } from '../auth/session'
import { lastClosedAt, onResync } from './socket'

export interface LiveLookupOptions<T extends { id: number }> {
  /** Those of `ids` the caller may see (the rest left out). */
  fetch: (ids: number[]) => Promise<T[]>
  /** The server's cap on one request. */
  batch: number
  /** Subscribes to what changes items on screen: call `ask` with the ids to fetch again
   * (`get` is the lookup's own; `shown` lists the items known and visible). Returns the
   * unsubscribers. */
  follow: (ask: (ids: Iterable<number>) => void, get: (id: number) => T | null | undefined,
    shown: () => T[]) => (() => void)[]
}

export interface LiveLookup<T> {
  /** The item; undefined while unknown, null when it is not shown to the caller. */
  get(id: number): T | null | undefined
  /** Ask for these (those not known or on their way), together with others asked now. */
  want(ids: readonly number[]): void
}

export function liveLookup<T extends { id: number }>(options: LiveLookupOptions<T>): LiveLookup<T> {
  const known = shallowReactive(new Map<number, T | null>())
  // id → when its answer came.
  const answeredAt = new Map<number, number>()
  const wanted = new Set<number>()
  const asking = new Set<number>()
  let timer: number | undefined
  let generation = 0
  let unsubscribers: (() => void)[] = []

  function askSoon(): void {
    window.clearTimeout(timer)
    // Every message of a page renders in one go: one request for all their ids.
    timer = window.setTimeout(() => void askNow(), 30)
  }

  function ask(ids: Iterable<number>): void {
    let added = false
    for (const id of ids) {
      wanted.add(id)
      added = true
    }
    if (added) askSoon()
  }

  async function askNow(): Promise<void> {
    const ids = [...wanted]
    wanted.clear()
    const mine = generation
    for (let start = 0; start < ids.length; start += options.batch) {
      const batch = ids.slice(start, start + options.batch)
      for (const id of batch) asking.add(id)
      try {
        const found = await options.fetch(batch)
        if (mine !== generation) return
        const shown = new Map(found.map((item) => [item.id, item]))
        const now = Date.now()
        for (const id of batch) {
          known.set(id, shown.get(id) ?? null)
          answeredAt.set(id, now)
        }
      } catch {
        // Not known: shown without it; the next render or reconnection asks again.
      } finally {
        for (const id of batch) asking.delete(id)
      }
    }
  }

  function follow(): void {
    if (unsubscribers.length) return
    const shown = (): T[] => [...known.values()].filter((item): item is T => item !== null)
    unsubscribers = [
      ...options.follow(ask, (id) => known.get(id), shown),
      onResync(() => ask([...answeredAt].filter(([, at]) => at <= lastClosedAt()).map(([id]) => id))),
    ]
  }

  onSessionEnd(() => {
    for (const unsubscribe of unsubscribers) unsubscribe()
    unsubscribers = []
    window.clearTimeout(timer)
    generation += 1
    known.clear()
    answeredAt.clear()
    wanted.clear()
    asking.clear()
  })

  return {
    get: (id) => known.get(id),
    want(ids) {
      follow()
      ask(ids.filter((id) => !known.has(id) && !asking.has(id)))
    },
  }
}
