/** Figures as the section shows them, in the page's language. */
import { currentLocale } from '../i18n'

const numberFormats = new Map<string, Intl.NumberFormat>()

function numberFormat(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${currentLocale()} ${JSON.stringify(options)}`
  let format = numberFormats.get(key)
  if (!format) {
    format = new Intl.NumberFormat(currentLocale(), options)
    numberFormats.set(key, format)
  }
  return format
}

/** A count ("12,345"); '—' for none. */
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : numberFormat({ maximumFractionDigits: 0 }).format(n)
}

/** A figure with up to one decimal ("3.5"). */
export function formatDecimal(n: number | null | undefined, digits = 1): string {
  return n === null || n === undefined ? '—' : numberFormat({ maximumFractionDigits: digits }).format(n)
}

/** A share of 1 as a percentage ("42%", "7.5%"). */
export function formatShare(share: number | null | undefined): string {
  if (share === null || share === undefined) return '—'
  return numberFormat({ style: 'percent', maximumFractionDigits: share < 0.1 && share > 0 ? 1 : 0 }).format(share)
}

/** A share of 1 as a whole percentage for chart axes and labels (no symbol spacing issues). */
export function percent(share: number | null | undefined): number | null {
  return share === null || share === undefined ? null : Math.round(share * 1000) / 10
}

export type Trend = { direction: 'up' | 'down' | 'flat' | 'new'; change: number }

/** How `now` compares with `before`: the relative change, or 'new' when there was nothing before. */
export function trendOf(now: number | null | undefined, before: number | null | undefined): Trend | null {
  if (now === null || now === undefined || before === null || before === undefined) return null
  if (before === 0) return now === 0 ? { direction: 'flat', change: 0 } : { direction: 'new', change: 0 }
  const change = (now - before) / before
  if (Math.abs(change) < 0.005) return { direction: 'flat', change: 0 }
  return { direction: change > 0 ? 'up' : 'down', change: Math.abs(change) }
}

const dayFormats = new Map<string, Intl.DateTimeFormat>()

/** "12月7日" / "Dec 7" for a day on an axis (no year: the axis is one period). */
export function shortDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`)
  if (Number.isNaN(date.getTime())) return day
  const locale = currentLocale()
  let format = dayFormats.get(locale)
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' })
    dayFormats.set(locale, format)
  }
  return format.format(date)
}

/** A period's two ends ("2026年11月8日 – 12月7日"). */
export function formatRange(from: string, to: string): string {
  const a = new Date(`${from}T00:00:00Z`)
  const b = new Date(`${to}T00:00:00Z`)
  const format = new Intl.DateTimeFormat(currentLocale(), { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' })
  return format.formatRange(a, b)
}

/** The hour of a UTC timestamp in the company's zone ("09:00"). */
export function hourIn(iso: string, zone: string | undefined): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return new Intl.DateTimeFormat(currentLocale(), { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: zone }).format(date)
}
