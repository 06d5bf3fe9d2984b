/**
 * One chart's figures for the section's query: loaded when the query changes (an answer to an
 * older query is dropped), with its loading and error states and a retry.
 */
import { shallowRef, watch, type Ref, type ShallowRef } from 'vue'
import { isAbortError } from '../api/client'
import { getChart, type AnalyticsQuery, type ChartName, type ChartShapes } from './api'

export interface ChartData<T> {
  data: ShallowRef<T | null>
  loading: Ref<boolean>
  error: ShallowRef<unknown>
  reload: () => Promise<void>
}

export function queryKey(q: AnalyticsQuery): string {
  return `${q.from}|${q.to}|${q.department_id ?? ''}`
}

export function useChartData<C extends ChartName>(chart: C, query: Ref<AnalyticsQuery>): ChartData<ChartShapes[C]> {
  const data = shallowRef(null) as ShallowRef<ChartShapes[C] | null>
  const loading = shallowRef(false)
  const error = shallowRef<unknown>(null)
  let controller: AbortController | null = null

  async function reload(): Promise<void> {
    controller?.abort()
    const current = (controller = new AbortController())
    loading.value = true
    error.value = null
    try {
      const answer = await getChart(chart, query.value, current.signal)
      if (controller !== current) return
      data.value = answer
    } catch (e) {
      if (controller !== current || isAbortError(e)) return
      error.value = e
    } finally {
      if (controller === current) {
        controller = null
        loading.value = false
      }
    }
  }

  // By value: another tab's navigation makes a new query object with the same days.
  watch(() => queryKey(query.value), () => void reload(), { immediate: true })
  return { data, loading, error, reload }
}
