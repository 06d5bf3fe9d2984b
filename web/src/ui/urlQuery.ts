/**
 * Pages whose state lives in the URL's query (the search, a filter, what is open), so that
 * refresh, back and forward, and a shared link all show what the URL says.
 */
import { onBeforeUnmount, ref, watch, type Ref } from 'vue'
import { useRoute, useRouter } from 'vue-router'

/** A positive whole number from a query parameter (an id), or null. */
export function queryNumber(value: unknown): number | null {
  const n = typeof value === 'string' ? Number(value) : NaN
  return Number.isInteger(n) && n > 0 ? n : null
}

export type QueryChange = Record<string, string | number | null | undefined>

/** Changes some of the page's query parameters (null or '' removes one) in place. */
export function useQueryNavigation(): (change: QueryChange) => void {
  const route = useRoute()
  const router = useRouter()
  return (change) => {
    const query = { ...route.query }
    for (const [key, value] of Object.entries(change)) {
      if (value === null || value === undefined || value === '') delete query[key]
      else query[key] = String(value)
    }
    void router.replace({ query })
  }
}

/**
 * A search box over a search that lives in the URL (`applied`): typing applies it after a
 * short pause, `searchNow` (Enter) at once, or searches `again` when it is unchanged; the box
 * follows the URL when that changes another way (back, forward, a link).
 */
export function useSearchBox(
  applied: () => string,
  apply: (q: string) => void,
  again: () => void,
): { search: Ref<string>; searchNow: () => void } {
  const search = ref(applied())
  let debounce: ReturnType<typeof setTimeout> | undefined
  watch(applied, (q) => {
    if (q !== search.value.trim()) search.value = q
  })
  watch(search, (value) => {
    clearTimeout(debounce)
    debounce = setTimeout(() => apply(value.trim()), 250)
  })
  onBeforeUnmount(() => clearTimeout(debounce))

  function searchNow(): void {
    clearTimeout(debounce)
    const q = search.value.trim()
    if (q === applied()) again()
    else apply(q)
  }
  return { search, searchNow }
}
