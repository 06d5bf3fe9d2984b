/**
 * A page's comment threads as the page shows them: loaded once, kept current from
 * `doc.comment_changed` on the shell's socket (reloaded when the socket could not resume),
 * and put in the order of the document — threads on ranges where their text is now, then
 * those whose text was deleted (orphaned), then the comments on the whole page.
 */
import { computed, onBeforeUnmount, ref, shallowRef, watch, type Ref } from 'vue'
import { isAbortError } from '../api/client'
import { onEvent, onResync } from '../realtime/socket'
import { listThreads, type CommentThread } from './api'
import type { Spot } from './commentMarks'

export type ThreadPlace = 'range' | 'orphaned' | 'page'

export function usePageComments(pageId: Ref<number>) {
  const threads = shallowRef<CommentThread[]>([])
  const loading = ref(true)
  const error = shallowRef<unknown>(null)
  // Where the editor says each range is (empty until its document has arrived).
  const spots = shallowRef<Map<number, Spot>>(new Map())
  const located = ref(false)
  let controller: AbortController | null = null

  async function reload(): Promise<void> {
    controller?.abort()
    const mine = (controller = new AbortController())
    loading.value = true
    error.value = null
    try {
      const found = await listThreads(pageId.value, mine.signal)
      if (controller === mine) threads.value = found.items
    } catch (e) {
      if (controller === mine && !isAbortError(e)) error.value = e
    } finally {
      if (controller === mine) loading.value = false
    }
  }

  /** A thread as it is now (from an answer or an event); null: it was removed. */
  function put(threadId: number, thread: CommentThread | null): void {
    const others = threads.value.filter((t) => t.id !== threadId)
    threads.value = thread ? [...others, thread].sort((a, b) => a.id - b.id) : others
  }

  const stops = [
    onEvent('doc.comment_changed', (event) => {
      if (event.data.page_id === pageId.value) put(event.data.thread_id, event.data.thread ?? null)
    }),
    onResync(() => void reload()),
  ]
  onBeforeUnmount(() => {
    stops.forEach((stop) => stop())
    controller?.abort()
  })

  function placeOf(thread: CommentThread): ThreadPlace {
    if (!thread.anchor) return 'page'
    if (!located.value) return 'range'
    return spots.value.get(thread.id) ? 'range' : 'orphaned'
  }

  const ordered = computed(() => {
    const rank = { range: 0, orphaned: 1, page: 2 }
    return [...threads.value].sort((a, b) => {
      const pa = placeOf(a)
      const pb = placeOf(b)
      if (pa !== pb) return rank[pa] - rank[pb]
      if (pa === 'range') {
        const fa = spots.value.get(a.id)?.from ?? Number.MAX_SAFE_INTEGER
        const fb = spots.value.get(b.id)?.from ?? Number.MAX_SAFE_INTEGER
        if (fa !== fb) return fa - fb
      }
      return a.id - b.id
    })
  })
  const openCount = computed(() => threads.value.filter((t) => !t.resolved_at).length)
  const resolvedCount = computed(() => threads.value.length - openCount.value)
  const anchored = computed(() =>
    threads.value.flatMap((t) => (t.anchor ? [{ id: t.id, start: t.anchor.start, end: t.anchor.end, resolved: t.resolved_at !== null }] : [])),
  )

  void reload()
  watch(pageId, () => {
    threads.value = []
    spots.value = new Map()
    located.value = false
    void reload()
  })
  return { threads, ordered, loading, error, spots, located, openCount, resolvedCount, anchored, reload, put, placeOf }
}

export type PageComments = ReturnType<typeof usePageComments>
