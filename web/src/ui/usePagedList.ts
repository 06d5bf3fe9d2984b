/**
 * A list the API pages with a cursor (`{items, next_cursor}`): the first page, then "load
 * more" (`LoadMore.vue` is its button, with its loading, error and end states). A reload (new
 * filters, a new search) supersedes whatever is still in flight: the older request is
 * aborted, and an answer that arrives anyway is dropped, so results never show out of order.
 */
import { computed, onScopeDispose, ref, shallowRef, type ComputedRef, type Ref, type ShallowRef } from 'vue'
import { isAbortError } from '../api/client'
import type { Page } from '../api/types'

export type PageFetcher<T> = (cursor: string | null, signal: AbortSignal) => Promise<Page<T>>

export interface PagedList<T> {
  /** What is loaded so far; a page may replace or edit it (a new or changed item). */
  items: ShallowRef<T[]>
  /** Cursor of the next page; null when everything is loaded (or nothing yet). */
  nextCursor: Ref<string | null>
  /** Whether a page is being fetched. */
  loading: Ref<boolean>
  /** Why the first page (a reload) failed; null after a success. What is shown may be out
   * of date, or no longer the person's to see: pages hide it while this is set. */
  error: ShallowRef<unknown>
  /** Why the next page failed; what is shown stays, and loading more again may succeed. */
  moreError: ShallowRef<unknown>
  /** Pages loaded since the last reload (1 once the first page is there). */
  pages: Ref<number>
  /** The first page came back, with nothing in it. */
  empty: ComputedRef<boolean>
  /** Loads the first page afresh (what is shown stays until it is there). */
  reload: () => Promise<void>
  /** Appends the next page; does nothing while a page is loading or when there is none. */
  loadMore: () => Promise<void>
}

export function usePagedList<T>(fetchPage: PageFetcher<T>): PagedList<T> {
  const items = shallowRef<T[]>([])
  const nextCursor = ref<string | null>(null)
  const loading = ref(false)
  const error = shallowRef<unknown>(null)
  const moreError = shallowRef<unknown>(null)
  const pages = ref(0)
  const loaded = ref(false)
  let controller: AbortController | null = null

  async function fetchInto(cursor: string | null): Promise<void> {
    controller?.abort()
    const current = (controller = new AbortController())
    loading.value = true
    moreError.value = null
    if (cursor === null) error.value = null
    try {
      const page = await fetchPage(cursor, current.signal)
      if (controller !== current) return // superseded while it was on its way
      items.value = cursor === null ? page.items : [...items.value, ...page.items]
      nextCursor.value = page.next_cursor
      pages.value = cursor === null ? 1 : pages.value + 1
      loaded.value = true
    } catch (e) {
      if (controller !== current || isAbortError(e)) return
      if (cursor === null) error.value = e
      else moreError.value = e
    } finally {
      if (controller === current) {
        controller = null
        loading.value = false
      }
    }
  }

  function loadMore(): Promise<void> {
    if (loading.value || nextCursor.value === null) return Promise.resolve()
    return fetchInto(nextCursor.value)
  }

  // Leaving the page: nothing of it is wanted any more.
  onScopeDispose(() => controller?.abort())

  return {
    items,
    nextCursor,
    loading,
    error,
    moreError,
    pages,
    empty: computed(() => loaded.value && !loading.value && !error.value && items.value.length === 0),
    reload: () => fetchInto(null),
    loadMore,
  }
}
