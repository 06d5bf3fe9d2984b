/**
 * Whether 数据洞察 is open to the signed-in person, and how far (`GET /analytics/access`): asked
 * once per session by the 更多 menu (a 404 means it is not theirs: no tile) and by the section
 * itself. Small on purpose: the app shell loads it, the section's charts load on their own.
 */
import { shallowRef } from 'vue'
import { ApiError } from '../api/client'
import { onSessionEnd } from '../auth/session'
import { getAccess, type AnalyticsAccess } from './api'

/** What the person may see; null while unknown or when analytics are not theirs. */
export const analyticsAccess = shallowRef<AnalyticsAccess | null>(null)
let pending: Promise<AnalyticsAccess | null> | null = null

/** The person's access, asked once (null: hidden; a failure other than 404 is asked again next time). */
export function loadAnalyticsAccess(): Promise<AnalyticsAccess | null> {
  pending ??= getAccess()
    .then((access) => {
      analyticsAccess.value = access
      return access
    })
    .catch((error: unknown) => {
      analyticsAccess.value = null
      if (!(error instanceof ApiError && error.status === 404)) pending = null
      return null
    })
  return pending
}

onSessionEnd(() => {
  analyticsAccess.value = null
  pending = null
})
