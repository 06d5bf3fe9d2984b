/**
 * The period and department the whole section shows, kept in the URL's query (`?range=7d`,
 * `?range=custom&from=2026-10-01&to=2026-10-31`, `&department=12`), so a refresh, back and a
 * shared link show the same figures. Days are the company's (a UTC browser is a day behind
 * Shanghai from 16:00), as the server counts them.
 */
import { computed, type ComputedRef } from 'vue'
import { useRoute } from 'vue-router'
import { useCompanyToday } from '../business_calendar/companyTime'
import { queryNumber, useQueryNavigation } from '../ui/urlQuery'
import type { AnalyticsQuery } from './api'

export type RangePreset = '7d' | '30d' | 'quarter' | 'custom'
export const PRESETS: readonly RangePreset[] = ['7d', '30d', 'quarter', 'custom']
/** The longest period the server answers for. */
export const MAX_DAYS = 400

const DAY = /^\d{4}-\d{2}-\d{2}$/

/** `day` moved by `days` (either way), as "YYYY-MM-DD". */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`)
  date.setUTCDate(date.getUTCDate() + days)
  return date.toISOString().slice(0, 10)
}

/** Whole days from `from` to `to`, both counted. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1
}

/** The first day of the quarter `day` is in. */
export function quarterStart(day: string): string {
  const [year, month] = day.split('-').map(Number) as [number, number]
  const first = Math.floor((month - 1) / 3) * 3 + 1
  return `${year}-${String(first).padStart(2, '0')}-01`
}

/** The quarter a day is in, as the reports name it ("2026-Q4"). */
export function quarterOf(day: string): string {
  const [year, month] = day.split('-').map(Number) as [number, number]
  return `${year}-Q${Math.floor((month - 1) / 3) + 1}`
}

/** The quarter before ("2026-Q1" → "2025-Q4"). */
export function previousQuarter(period: string): string {
  const [year, q] = period.split('-Q').map(Number) as [number, number]
  return q === 1 ? `${year - 1}-Q4` : `${year}-Q${q - 1}`
}

export interface PeriodState {
  preset: ComputedRef<RangePreset>
  /** The query every chart is asked with. */
  query: ComputedRef<AnalyticsQuery>
  today: ComputedRef<string>
  setPreset: (preset: RangePreset) => void
  setCustom: (from: string, to: string) => void
  setDepartment: (id: number | null) => void
}

export function usePeriod(): PeriodState {
  const route = useRoute()
  const navigate = useQueryNavigation()
  const today = useCompanyToday()

  const preset = computed<RangePreset>(() => {
    const raw = route.query.range
    return typeof raw === 'string' && (PRESETS as readonly string[]).includes(raw) ? (raw as RangePreset) : '30d'
  })

  const query = computed<AnalyticsQuery>(() => {
    const last = today.value
    const department_id = queryNumber(route.query.department)
    switch (preset.value) {
      case '7d':
        return { from: addDays(last, -6), to: last, department_id }
      case 'quarter':
        return { from: quarterStart(last), to: last, department_id }
      case 'custom': {
        const from = String(route.query.from ?? '')
        const to = String(route.query.to ?? '')
        if (DAY.test(from) && DAY.test(to) && from <= to && daysBetween(from, to) <= MAX_DAYS) {
          return { from, to, department_id }
        }
        return { from: addDays(last, -29), to: last, department_id }
      }
      default:
        return { from: addDays(last, -29), to: last, department_id }
    }
  })

  return {
    preset,
    query,
    today,
    setPreset: (value) => {
      if (value === 'custom') {
        // Start from what is shown, so the fields are filled in.
        navigate({ range: 'custom', from: query.value.from, to: query.value.to })
      } else {
        navigate({ range: value === '30d' ? null : value, from: null, to: null })
      }
    },
    setCustom: (from, to) => navigate({ range: 'custom', from, to }),
    setDepartment: (id) => navigate({ department: id }),
  }
}
