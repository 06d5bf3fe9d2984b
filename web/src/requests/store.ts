/**
 * What the request pages share: the request types (names, forms, SLAs), the company's business
 * calendar (for the SLA countdowns and the company's time zone), and a clock that ticks so the
 * countdowns move. Loaded once per visit, on first use; forgotten when the session ends.
 * The pages follow the shell's one socket themselves (`request.changed`), for as long as they
 * are open.
 */
import { computed, readonly, ref, shallowRef } from 'vue'
import { onSessionEnd } from '../auth/session'
import { listDays, type WorkCalendar } from '../business_calendar/api'
import { companyCalendar } from '../business_calendar/companyTime'
import { listRequestTypes, type RequestData, type RequestOut, type RequestType } from './api'
import { isWeekday, localDate, nextDate, periodsOf, slaOf, type SlaSettings, type WorkingTime } from './sla'

// ---- request types ----------------------------------------------------------------------------

const types = shallowRef<RequestType[]>([])
const typesLoaded = ref(false)
const typesError = shallowRef<unknown>(null)
let typesPending: Promise<void> | null = null

export const requestTypes = computed(() => types.value)
export const requestTypesLoaded = readonly(typesLoaded)
export const requestTypesError = readonly(typesError)

const typesById = computed(() => new Map(types.value.map((type) => [type.id, type])))

export function requestType(id: number | null): RequestType | undefined {
  return id === null ? undefined : typesById.value.get(id)
}

/** Loads the types unless they are loaded (or loading); again after a failure. */
export function ensureRequestTypes(): Promise<void> {
  typesPending ??= listRequestTypes()
    .then((items) => {
      types.value = items
      typesLoaded.value = true
      typesError.value = null
    })
    .catch((error: unknown) => {
      typesError.value = error
      typesPending = null
    })
  return typesPending
}

/** Loads the types afresh (a page that changes them starts from what the server has now). */
export function reloadRequestTypes(): Promise<void> {
  typesPending = null
  return ensureRequestTypes()
}

/** A type created or changed here: the filing form and the lists have it at once. */
export function requestTypeSaved(saved: RequestType): void {
  const others = types.value.filter((type) => type.id !== saved.id)
  // In the server's order: by department, then name.
  types.value = [...others, saved].sort(
    (a, b) => a.department_id - b.department_id || (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id),
  )
}

/** The SLA a request runs on: its type's (or the one for requests without a type). */
export function slaFor(request: RequestData): SlaSettings {
  return slaOf(requestType(request.type_id))
}

// ---- the business calendar ------------------------------------------------------------------

const calendarInfo = shallowRef<WorkCalendar | null>(null)
const workingDays = shallowRef<Map<string, boolean>>(new Map())
let calendarPending: Promise<void> | null = null

// The days asked for at once: back far enough for what is overdue, ahead far enough for the
// longest clock in practice (a working week or two); later dates count Monday to Friday.
const DAYS_BEHIND = 60
const DAYS_AHEAD = 120

function addDays(date: string, count: number): string {
  let day = date
  for (let i = 0; i < count; i++) day = nextDate(day)
  return day
}

function daysBefore(date: string, count: number): string {
  const [year, month, day] = date.split('-').map(Number)
  const earlier = new Date(Date.UTC(year!, month! - 1, day! - count))
  return earlier.toISOString().slice(0, 10)
}

/** Loads the working hours and the days around today; without them, clocks count wall-clock time. */
export function ensureCalendar(): Promise<void> {
  calendarPending ??= (async () => {
    try {
      const info = await companyCalendar()
      if (!info) throw new Error('no calendar')
      const today = localDate(Date.now(), info.time_zone)
      const days = await listDays(daysBefore(today, DAYS_BEHIND), addDays(today, DAYS_AHEAD))
      workingDays.value = new Map(days.items.map((day) => [day.date, day.working]))
      calendarInfo.value = info
    } catch {
      calendarPending = null // counted on the wall clock meanwhile; tried again on the next page
    }
  })()
  return calendarPending
}

/** The business calendar, once loaded. */
export const workingTime = computed<WorkingTime | null>(() => {
  const info = calendarInfo.value
  if (!info) return null
  const days = workingDays.value
  return {
    zone: info.time_zone,
    periods: periodsOf(info.work_start, info.work_end, info.lunch_start, info.lunch_end),
    hoursPerDay: info.hours_per_day,
    isWorkingDay: (date) => days.get(date) ?? isWeekday(date),
  }
})


// ---- a clock for the countdowns ---------------------------------------------------------------

const ticking = ref(Date.now())
// Countdowns read to the minute; a tick every 10 s turns a badge red soon after it is due.
window.setInterval(() => {
  ticking.value = Date.now()
}, 10_000)
export const now = readonly(ticking)

// ---- where the list was ------------------------------------------------------------------------

/** The list's query as last seen (box, filter), so "back to the list" returns to it. */
export const lastListQuery = ref<Record<string, string>>({})

// ---- live changes ------------------------------------------------------------------------------

/** The request as an event now carries it, keeping what the caller may do (events carry no `can`). */
export function withData(request: RequestOut, data: RequestData): RequestOut {
  return { ...data, can: request.can }
}

onSessionEnd(() => {
  lastListQuery.value = {}
  types.value = []
  typesLoaded.value = false
  typesError.value = null
  typesPending = null
})
