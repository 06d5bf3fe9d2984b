/** Days of a calendar page: weeks start on Monday, as Chinese calendars do. */

export type CalendarMode = 'week' | 'month'

export function startOfDay(day: Date): Date {
  return new Date(day.getFullYear(), day.getMonth(), day.getDate())
}

export function addDays(day: Date, count: number): Date {
  return new Date(day.getFullYear(), day.getMonth(), day.getDate() + count)
}

export function mondayOf(day: Date): Date {
  return addDays(startOfDay(day), -((day.getDay() + 6) % 7))
}

/** The days the page shows: a week, or the whole weeks that hold the month of `anchor`. */
export function pageDays(mode: CalendarMode, anchor: Date): Date[] {
  if (mode === 'week') return Array.from({ length: 7 }, (_, i) => addDays(mondayOf(anchor), i))
  const first = mondayOf(new Date(anchor.getFullYear(), anchor.getMonth(), 1))
  const last = new Date(anchor.getFullYear(), anchor.getMonth() + 1, 0)
  const days: Date[] = []
  for (let day = first; day <= last || days.length % 7 !== 0; day = addDays(day, 1)) days.push(day)
  return days
}

export function step(mode: CalendarMode, anchor: Date, by: number): Date {
  return mode === 'week' ? addDays(anchor, 7 * by) : new Date(anchor.getFullYear(), anchor.getMonth() + by, 1)
}

export function dayKey(day: Date): string {
  return `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`
}
