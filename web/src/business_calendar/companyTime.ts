/**
 * The company's time zone and today's date in it: what "today", "overdue", a deadline's day and
 * a period of days count in, whatever zone the browser is in (a phone abroad; a UTC browser is a
 * day behind Shanghai from 16:00). The calendar settings (`GET /calendar`) are asked once per
 * visit, by whoever needs them first; forgotten when the session ends.
 */
import { computed, ref, shallowRef, type ComputedRef } from 'vue'
import { onSessionEnd } from '../auth/session'
import { localDate } from '../requests/sla'
import { getCalendar, type WorkCalendar } from './api'

const settings = shallowRef<WorkCalendar | null>(null)
let pending: Promise<WorkCalendar | null> | null = null

/** The calendar settings, asked once (null when the server could not say; asked again later). */
export function companyCalendar(): Promise<WorkCalendar | null> {
  pending ??= getCalendar()
    .then((info) => {
      settings.value = info
      return info
    })
    .catch(() => {
      pending = null
      return null
    })
  return pending
}

/** Loads the company's time zone if nobody has yet. */
export async function ensureCompanyZone(): Promise<void> {
  await companyCalendar()
}

/** The company's time zone (undefined until known: the viewer's own zone meanwhile). */
export const companyZone = computed(() => settings.value?.time_zone)

// A minute's tick is enough for a date to turn over at midnight.
const ticking = ref(Date.now())
window.setInterval(() => {
  ticking.value = Date.now()
}, 60_000)

/** Today as "YYYY-MM-DD" in the company's time zone (the viewer's until it is known). */
export const today: ComputedRef<string> = computed(() =>
  localDate(ticking.value, companyZone.value ?? Intl.DateTimeFormat().resolvedOptions().timeZone))

/** `today`, having asked for the company's zone: what a component that shows days calls. */
export function useCompanyToday(): ComputedRef<string> {
  void ensureCompanyZone()
  return today
}

onSessionEnd(() => {
  settings.value = null
  pending = null
})
