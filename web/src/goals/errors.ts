import { computed, type ComputedRef, type ShallowRef } from 'vue'
import { ApiError } from '../api/client'

/**
 * The form field a refusal is about, so it is said there (the rest under the form): by the
 * server's code (`codes`), or by the first validation problem's field (`fields`, body field →
 * form field).
 */
export function useFieldOfError<F extends string>(
  error: ShallowRef<unknown>,
  codes: Record<string, F>,
  fields: Record<string, F>,
): { field: ComputedRef<F | null>; message: ComputedRef<string> } {
  const field = computed<F | null>(() => {
    const e = error.value
    if (!(e instanceof ApiError)) return null
    if (codes[e.code]) return codes[e.code] ?? null
    if (Array.isArray(e.details)) {
      const loc: unknown = (e.details[0] as { loc?: unknown } | undefined)?.loc
      const name = Array.isArray(loc) ? loc[1] : undefined
      return typeof name === 'string' ? (fields[name] ?? null) : null
    }
    return null
  })
  const message = computed(() => (error.value instanceof ApiError ? error.value.message : ''))
  return { field, message }
}
