import { currentLocale, translate } from './index'

// Intl formatters are costly to build; keep one per locale.
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>()

/**
 * An ISO 8601 UTC timestamp from the API, shown in the viewer's locale and time zone, or in
 * `timeZone` (an IANA name such as the company's) when given.
 */
export function formatDateTime(iso: string, locale: string = currentLocale(), timeZone?: string): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  const key = timeZone ? `${locale} ${timeZone}` : locale
  let format = dateTimeFormats.get(key)
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium', timeZone })
    dateTimeFormats.set(key, format)
  }
  return format.format(date)
}

const minuteFormats = new Map<string, Intl.DateTimeFormat>()

/**
 * A moment to the minute, for deadlines and when things happened: "12月7日 14:30" /
 * "Dec 7, 14:30", with the year when it is not this year's; in `timeZone` when given.
 */
export function formatDateTimeMinute(iso: string, locale: string = currentLocale(), timeZone?: string): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  const yearOf = (d: Date) => formatIn(locale, timeZone, { year: 'numeric' }).format(d)
  const withYear = yearOf(date) !== yearOf(new Date())
  return formatIn(locale, timeZone, {
    ...(withYear ? { year: 'numeric' } : {}),
    month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).format(date)
}

function formatIn(locale: string, timeZone: string | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale} ${timeZone ?? ''} ${JSON.stringify(options)}`
  let format = minuteFormats.get(key)
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { ...options, timeZone })
    minuteFormats.set(key, format)
  }
  return format
}

const timeFormats = new Map<string, Intl.DateTimeFormat>()
const dayFormats = new Map<string, Intl.DateTimeFormat>()

function cached(store: Map<string, Intl.DateTimeFormat>, locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let format = store.get(locale)
  if (!format) {
    format = new Intl.DateTimeFormat(locale, options)
    store.set(locale, format)
  }
  return format
}

/** Clock time of a message ("14:05"), in the viewer's time zone. */
const calendarDayFormats = new Map<string, Intl.DateTimeFormat>()

/**
 * A calendar day from the API ("2026-12-10": a task's due day, no time and no zone), as
 * "12月10日" / "Dec 10", with the year when it is not this year's.
 */
export function formatCalendarDay(day: string, locale: string = currentLocale()): string {
  const date = new Date(`${day}T00:00:00Z`)
  if (Number.isNaN(date.getTime())) return day
  const withYear = date.getUTCFullYear() !== new Date().getFullYear()
  const key = `${locale} ${withYear}`
  let format = calendarDayFormats.get(key)
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { year: withYear ? 'numeric' : undefined, month: 'short', day: 'numeric', timeZone: 'UTC' })
    calendarDayFormats.set(key, format)
  }
  return format.format(date)
}

export function formatTime(iso: string, locale: string = currentLocale()): string {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? '' : cached(timeFormats, locale, { hour: '2-digit', minute: '2-digit' }).format(date)
}

/** The local calendar day of a timestamp, as a comparable key ("2025-11-25"). */
export function dayKey(iso: string): string {
  const d = new Date(iso)
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`
}

/** A day heading: "Today", "Yesterday" or the date in the viewer's locale. */
export function formatDay(iso: string, today: string, yesterday: string, locale: string = currentLocale()): string {
  const date = new Date(iso)
  const key = dayKey(iso)
  const now = new Date()
  if (key === dayKey(now.toISOString())) return today
  const before = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1)
  if (key === dayKey(before.toISOString())) return yesterday
  return cached(dayFormats, locale, { year: 'numeric', month: 'long', day: 'numeric', weekday: 'short' }).format(date)
}

/** A file size for people ("1.2 MB"). */
export function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`
  const units = ['KB', 'MB', 'GB']
  let value = size / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}

/**
 * How long ago, for a feed ("刚刚", "5 分钟前", "3 小时前", "2 天前"); a week or more shows
 * the date.
 */
export function formatAgo(iso: string, now: number = Date.now(), locale: string = currentLocale()): string {
  const then = new Date(iso).getTime()
  if (Number.isNaN(then)) return iso
  const minutes = Math.floor((now - then) / 60_000)
  if (minutes < 1) return translate('notifications.justNow')
  if (minutes < 60) return translate('notifications.minutesAgo', { count: minutes })
  const hours = Math.floor(minutes / 60)
  if (hours < 24) return translate('notifications.hoursAgo', { count: hours })
  const days = Math.floor(hours / 24)
  if (days < 7) return translate('notifications.daysAgo', { count: days })
  return cached(dayFormats, locale, { year: 'numeric', month: 'long', day: 'numeric', weekday: 'short' }).format(new Date(then))
}
