/**
 * Dates as the calendar page handles them: "YYYY-MM-DD" strings (the API's), months as a
 * year and a month number, and the grid of a month's weeks. Computed in UTC so that the
 * viewer's own time zone never shifts a date.
 */
import type { CalendarDay, DayKind } from './api'

export interface Month {
  year: number
  month: number // 1–12
}

const pad = (n: number) => String(n).padStart(2, '0')

export function isoDate(year: number, month: number, day: number): string {
  return `${year}-${pad(month)}-${pad(day)}`
}

export function monthKey({ year, month }: Month): string {
  return `${year}-${pad(month)}`
}

/** "2026-10" as a month, or null. */
export function parseMonth(text: unknown): Month | null {
  if (typeof text !== 'string') return null
  const match = /^(\d{4})-(\d{2})$/.exec(text)
  if (!match) return null
  const year = Number(match[1])
  const month = Number(match[2])
  return month >= 1 && month <= 12 ? { year, month } : null
}

export function addMonths({ year, month }: Month, count: number): Month {
  const index = year * 12 + (month - 1) + count
  return { year: Math.floor(index / 12), month: (index % 12) + 1 }
}

/** The month a date ("YYYY-MM-DD") is in. */
export function monthOf(date: string): Month {
  return { year: Number(date.slice(0, 4)), month: Number(date.slice(5, 7)) }
}

/** Today's date in `timeZone` (the company's). */
export function todayIn(timeZone: string): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())
}

/**
 * The weeks of a month, Monday first, as dates ("YYYY-MM-DD") with null for the days of
 * the weeks before and after it.
 */
export function monthWeeks({ year, month }: Month): (string | null)[][] {
  const first = new Date(Date.UTC(year, month - 1, 1))
  const lead = (first.getUTCDay() + 6) % 7 // Monday 0 … Sunday 6
  const length = new Date(Date.UTC(year, month, 0)).getUTCDate()
  const cells: (string | null)[] = Array.from({ length: lead }, () => null)
  for (let day = 1; day <= length; day++) cells.push(isoDate(year, month, day))
  while (cells.length % 7) cells.push(null)
  const weeks: (string | null)[][] = []
  for (let start = 0; start < cells.length; start += 7) weeks.push(cells.slice(start, start + 7))
  return weeks
}

/** Whether an administrator overrode the day. */
export function isOverride(kind: DayKind): boolean {
  return kind === 'company_holiday' || kind === 'company_workday'
}

/** The short mark a Chinese calendar prints on a special day: 休 (off) or 班 (worked). */
export function mark(day: CalendarDay): 'off' | 'on' | null {
  if (day.why === 'statutory_holiday' || day.why === 'company_holiday') return 'off'
  if (day.why === 'makeup_workday' || day.why === 'company_workday') return 'on'
  return null
}

const dateFormats = new Map<string, Intl.DateTimeFormat>()

function format(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale} ${JSON.stringify(options)}`
  let found = dateFormats.get(key)
  if (!found) {
    found = new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' })
    dateFormats.set(key, found)
  }
  return found
}

function utcDate(date: string): Date {
  return new Date(`${date}T00:00:00Z`)
}

/** "2026年10月1日星期四" / "Thursday, October 1, 2026". */
export function longDate(date: string, locale: string): string {
  return format(locale, { dateStyle: 'full' }).format(utcDate(date))
}

/** "10月1日" / "Oct 1". */
export function shortDate(date: string, locale: string): string {
  return format(locale, { month: 'short', day: 'numeric' }).format(utcDate(date))
}

/** "2026年10月" / "October 2026". */
export function monthTitle({ year, month }: Month, locale: string): string {
  return format(locale, { year: 'numeric', month: 'long' }).format(new Date(Date.UTC(year, month - 1, 1)))
}

/** The weekday names, Monday first ("一" … / "Mon" …), and in full for screen readers. */
export function weekdayNames(locale: string): { short: string; long: string }[] {
  // 2024-01-01 was a Monday.
  return Array.from({ length: 7 }, (_, index) => {
    const date = new Date(Date.UTC(2024, 0, 1 + index))
    return {
      short: format(locale, { weekday: 'short' }).format(date),
      long: format(locale, { weekday: 'long' }).format(date),
    }
  })
}
