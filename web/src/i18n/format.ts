import { currentLocale } from './index'

// Intl formatters are costly to build; keep one per locale.
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>()

/** An ISO 8601 UTC timestamp from the API, shown in the viewer's time zone and locale. */
export function formatDateTime(iso: string, locale: string = currentLocale()): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  let format = dateTimeFormats.get(locale)
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' })
    dateTimeFormats.set(locale, format)
  }
  return format.format(date)
}
