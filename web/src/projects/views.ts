/** The ways a project's tasks are shown (`?view=` on its page; the board when absent). */
export const PROJECT_VIEWS = ['board', 'list', 'gantt', 'calendar'] as const
export type ProjectViewName = (typeof PROJECT_VIEWS)[number]

export function viewOf(raw: unknown): ProjectViewName {
  return (PROJECT_VIEWS as readonly unknown[]).includes(raw) ? (raw as ProjectViewName) : 'board'
}

/** "YYYY-MM-DD" of a day counted in UTC (the calendar's days carry no time of day). */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10)
}

/** The day `days` after `day` ("YYYY-MM-DD"). */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`)
  date.setUTCDate(date.getUTCDate() + days)
  return isoDay(date)
}

/**
 * The weeks of a month's page, Monday first (the Chinese calendar's way): six rows or fewer
 * of seven days, from the Monday on or before the 1st to the Sunday on or after its last day.
 */
export function monthWeeks(year: number, month: number): string[][] {
  const first = new Date(Date.UTC(year, month - 1, 1))
  const offset = (first.getUTCDay() + 6) % 7 // days since Monday
  const last = new Date(Date.UTC(year, month, 0))
  let day = addDays(isoDay(first), -offset)
  const end = isoDay(last)
  const weeks: string[][] = []
  while (day <= end) {
    const week: string[] = []
    for (let i = 0; i < 7; i += 1) {
      week.push(day)
      day = addDays(day, 1)
    }
    weeks.push(week)
  }
  return weeks
}
