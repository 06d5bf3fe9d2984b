/**
 * A request's two SLA clocks as its pages show them: which one runs, how much working time is
 * left (or how long it is overdue), and whether that is fine, near (past the warning point)
 * or late. The server keeps the clocks (`requests/timers.py`); this only reads them.
 *
 * Time left is *working* time, counted on the company's business calendar (working hours,
 * lunch break, the days that are worked: weekends, statutory holidays, 调休 and the company's
 * overrides), as the server counts it: a request due Monday 10:00 seen on Friday 17:00 has
 * two working hours left, not 65 hours.
 */
import type { RequestData, RequestType } from './api'

export type ClockName = 'response' | 'resolution'
export const CLOCKS: readonly ClockName[] = ['response', 'resolution']

/** The business calendar as the clocks need it. */
export interface WorkingTime {
  zone: string
  /** Working periods of a working day, minutes after local midnight: [[540, 720], [810, 1080]]. */
  periods: readonly (readonly [number, number])[]
  /** A working day's working hours (7.5 by default). */
  hoursPerDay: number
  /** Whether a local date ("YYYY-MM-DD") is worked. */
  isWorkingDay: (date: string) => boolean
}

export interface SlaSettings {
  responseHours: number
  resolutionHours: number
  /** The share of a clock's working time at which it warns (0.8: with 20 % left). */
  warnAtShare: number
}

// A request filed without a type is answered within a working day and resolved within a
// working week (the server's `actions.UNTYPED`, which its replies do not carry).
export const UNTYPED_SLA: SlaSettings = { responseHours: 8, resolutionHours: 40, warnAtShare: 0.8 }

/** The SLA a request was filed with, as far as the client can know it: its type's. */
export function slaOf(type: RequestType | undefined): SlaSettings {
  return type
    ? { responseHours: type.response_sla_hours, resolutionHours: type.resolution_sla_hours, warnAtShare: type.warn_at_share }
    : UNTYPED_SLA
}

export type Tone = 'ok' | 'near' | 'late'

export type ClockState =
  /** Counting down: `left` working milliseconds (negative: overdue by that much). */
  | { kind: 'running'; clock: ClockName; due: string; left: number; tone: Tone }
  /** The request waits for its requester: the clocks stand still. */
  | { kind: 'paused'; clock: ClockName; due: string }
  /** Done with: answered (response) or resolved (resolution), on time or late. */
  | { kind: 'met'; clock: ClockName; due: string; at: string; late: boolean }
  /** Ended without being met (rejected or withdrawn before it). */
  | { kind: 'stopped'; clock: ClockName; due: string; late: boolean }

const FINAL = new Set(['closed', 'rejected', 'withdrawn'])

function dueOf(request: RequestData, clock: ClockName): string {
  return clock === 'response' ? request.response_due_at : request.resolution_due_at
}

/** Where `clock` of `request` stands at `now` (mirrors the server's `timers.running`). */
export function clockState(request: RequestData, clock: ClockName, sla: SlaSettings, calendar: WorkingTime | null,
  now: number): ClockState {
  const due = dueOf(request, clock)
  const breached = request.breached[clock]
  const metAt = clock === 'response' ? request.first_response_at : request.resolved_at
  if (metAt) return { kind: 'met', clock, due, at: metAt, late: breached || Date.parse(metAt) > Date.parse(due) }
  if (FINAL.has(request.status)) return { kind: 'stopped', clock, due, late: breached }
  if (request.paused_at) return { kind: 'paused', clock, due }
  const dueMs = Date.parse(due)
  const left = dueMs >= now ? workingMs(calendar, now, dueMs) : -workingMs(calendar, dueMs, now)
  const hours = clock === 'response' ? sla.responseHours : sla.resolutionHours
  const warnLead = (1 - sla.warnAtShare) * hours * 3_600_000
  const tone: Tone = breached || now > dueMs ? 'late' : left < warnLead ? 'near' : 'ok'
  return { kind: 'running', clock, due, left, tone }
}

/**
 * The clock a list shows for an open request: the response clock until the first response,
 * then the resolution clock; null once neither runs (resolved, or ended).
 */
export function currentClock(request: RequestData, sla: SlaSettings, calendar: WorkingTime | null,
  now: number): ClockState | null {
  if (FINAL.has(request.status) || request.status === 'resolved') return null
  const clock: ClockName = request.first_response_at ? 'resolution' : 'response'
  return clockState(request, clock, sla, calendar, now)
}

// ---- working time on the business calendar ------------------------------------------------

const partFormats = new Map<string, Intl.DateTimeFormat>()

function partsIn(instant: number, zone: string): number[] {
  let format = partFormats.get(zone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    })
    partFormats.set(zone, format)
  }
  const wanted: Intl.DateTimeFormatPartTypes[] = ['year', 'month', 'day', 'hour', 'minute', 'second']
  const found = new Map<string, number>(format.formatToParts(new Date(instant)).map((part) => [part.type, Number(part.value)]))
  return wanted.map((name) => found.get(name) ?? 0)
}

/** How far `zone`'s wall clock is ahead of UTC at `instant`, in milliseconds. */
function offsetAt(instant: number, zone: string): number {
  const [year, month, day, hour, minute, second] = partsIn(instant, zone)
  const wall = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!)
  return wall - Math.floor(instant / 1000) * 1000
}

const pad = (n: number) => String(n).padStart(2, '0')

/** The local date ("YYYY-MM-DD") of an instant in `zone`. */
export function localDate(instant: number, zone: string): string {
  const [year, month, day] = partsIn(instant, zone)
  return `${year}-${pad(month!)}-${pad(day!)}`
}

/** The instant of a local wall-clock time (`minutes` after midnight of `date`) in `zone`. */
export function instantOf(date: string, minutes: number, zone: string): number {
  const [year, month, day] = date.split('-').map(Number)
  const wall = Date.UTC(year!, month! - 1, day!, 0, minutes)
  const first = wall - offsetAt(wall, zone)
  // Across a daylight-saving change the offset at the answer may differ from the guess's.
  const second = offsetAt(first, zone)
  return second === offsetAt(wall, zone) ? first : wall - second
}

export function nextDate(date: string): string {
  const [year, month, day] = date.split('-').map(Number)
  const next = new Date(Date.UTC(year!, month! - 1, day! + 1))
  return `${next.getUTCFullYear()}-${pad(next.getUTCMonth() + 1)}-${pad(next.getUTCDate())}`
}

// A clock far beyond any SLA is not counted day by day for ever.
const MAX_DAYS_COUNTED = 400

/** Working milliseconds from `from` to `to` (0 when `to` is not later); wall-clock time without a calendar. */
export function workingMs(calendar: WorkingTime | null, from: number, to: number): number {
  if (to <= from) return 0
  if (!calendar) return to - from
  let total = 0
  let date = localDate(from, calendar.zone)
  const last = localDate(to, calendar.zone)
  for (let days = 0; days < MAX_DAYS_COUNTED; days++) {
    if (calendar.isWorkingDay(date)) {
      for (const [start, end] of calendar.periods) {
        const a = Math.max(from, instantOf(date, start, calendar.zone))
        const b = Math.min(to, instantOf(date, end, calendar.zone))
        if (b > a) total += b - a
      }
    }
    if (date >= last) break
    date = nextDate(date)
  }
  return total
}

/** "09:00" as minutes after midnight. */
export function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number)
  return hours! * 60 + minutes!
}

/** The working periods of a day from the calendar's hours and lunch break. */
export function periodsOf(start: string, end: string, lunchStart: string | null, lunchEnd: string | null): [number, number][] {
  const from = minutesOf(start)
  const to = minutesOf(end)
  if (lunchStart && lunchEnd) return [[from, minutesOf(lunchStart)], [minutesOf(lunchEnd), to]]
  return [[from, to]]
}

/** Monday to Friday: the week, for dates the calendar's answer does not cover. */
export function isWeekday(date: string): boolean {
  const [year, month, day] = date.split('-').map(Number)
  const weekday = new Date(Date.UTC(year!, month! - 1, day!)).getUTCDay()
  return weekday !== 0 && weekday !== 6
}
