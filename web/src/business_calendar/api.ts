/**
 * The business calendar (server: `xietong.business_calendar`): the company's working hours,
 * every date with whether it is worked and why, and administrators' overrides of single
 * dates. (Due times, `GET /api/v1/calendar/due`, belong to the pages that show them.)
 */
import { api } from '../api/client'
import type { Schema } from '../api/types'

export type WorkCalendar = Schema<'CalendarOut'>
export type CalendarChange = Schema<'CalendarChange'>
export type CalendarDay = Schema<'DayOut'>
export type DayKind = Schema<'DayKind'>

// Every kind once, in the order the legend shows them: the compiler refuses this while the
// server has a kind the page does not know.
const everyKind: { [K in DayKind]: K } = {
  workday: 'workday',
  weekend: 'weekend',
  statutory_holiday: 'statutory_holiday',
  makeup_workday: 'makeup_workday',
  company_holiday: 'company_holiday',
  company_workday: 'company_workday',
}
export const DAY_KINDS: readonly DayKind[] = Object.values(everyKind)

export const getCalendar = () => api.get<WorkCalendar>('/api/v1/calendar')

export const changeCalendar = (change: CalendarChange) => api.put<WorkCalendar>('/api/v1/calendar', change)

/** Every date from `first` to `last` ("YYYY-MM-DD", both included; at most 366 days). */
export const listDays = (first: string, last: string, signal?: AbortSignal) =>
  api.get<Schema<'DaysOut'>>('/api/v1/calendar/days', { from: first, to: last }, signal)

export const overrideDay = (day: string, working: boolean, note: string | null) =>
  api.put<CalendarDay>(`/api/v1/calendar/days/${day}`, { working, note })

export const clearDay = (day: string) => api.delete<CalendarDay>(`/api/v1/calendar/days/${day}`)
