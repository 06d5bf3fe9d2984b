import type { Schema } from '../api/types'

type Holiday = Schema<'HolidayOut'>

/** A statutory holiday's name in `locale` (the server names each in zh-CN and en). */
export function holidayName(holiday: Holiday, locale: string): string {
  return holiday.labels[locale] ?? holiday.labels['zh-CN'] ?? holiday.key
}
