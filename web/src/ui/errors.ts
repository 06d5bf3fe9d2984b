import { ApiError, detailLines } from '../api/client'
import { translate } from '../i18n'

/**
 * The sentence to show for a failed call. Called during render (not when the
 * error happens) so it follows a language switch.
 */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return translate('common.networkError')
    if (error.message) return error.message
    if (error.status === 403) return translate('common.forbidden')
    return translate('common.httpError', { status: error.status })
  }
  return error instanceof Error ? error.message : String(error)
}

/** Field-level lines (422 validation details) to list under the sentence. */
export function errorDetails(error: unknown): string[] {
  return error instanceof ApiError ? detailLines(error.details) : []
}
