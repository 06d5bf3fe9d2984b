/**
 * ECharts as 数据洞察 uses it: only the chart types and components its charts draw (the
 * bundle carries no other), drawn as SVG (crisp text, selectable in tests), and the colours
 * the section shares. Imported by the section's chart component only, so ECharts loads with it.
 */
import { BarChart, GraphChart, HeatmapChart, LineChart } from 'echarts/charts'
import {
  AriaComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components'
import * as echarts from 'echarts/core'
import { SVGRenderer } from 'echarts/renderers'

echarts.use([
  BarChart,
  GraphChart,
  HeatmapChart,
  LineChart,
  AriaComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
  SVGRenderer,
])

export { echarts }
export type ChartOption = echarts.EChartsCoreOption

/** The series colours, in order (Feishu's palette: distinct on white and for most colour vision). */
export const PALETTE = ['#3370ff', '#34c724', '#ff8800', '#7f3bf5', '#14c9c9', '#f54a45', '#ffc60a', '#8f959e']
/** Good, middling and poor (compliance, satisfaction). */
export const GOOD = '#2e9d5b'
export const WARN = '#ff8800'
export const BAD = '#d83931'
/** Islands in the collaboration network. */
export const ISLAND = '#ff8800'
export const AXIS_TEXT = '#4e5969'
export const TEXT = '#1f2329'
export const GRID_LINE = '#e5e6eb'

/** The look every chart shares: no animation (tests, and nobody waits for it), muted axes. */
export function baseOption(): ChartOption {
  return {
    aria: { enabled: true },
    animation: false,
    color: PALETTE,
    textStyle: { fontFamily: 'inherit' },
  }
}

export function valueAxis(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'value',
    axisLabel: { color: AXIS_TEXT },
    splitLine: { lineStyle: { color: GRID_LINE } },
    ...extra,
  }
}

export function categoryAxis(data: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'category',
    data,
    axisLabel: { color: AXIS_TEXT },
    axisLine: { lineStyle: { color: GRID_LINE } },
    axisTick: { show: false },
    ...extra,
  }
}

export interface BarSeries {
  name: string
  data: (number | null)[]
  color?: string
  stack?: string
}

export interface BarScale {
  /** After each value in the tooltip (" 小时", "%"). */
  unit?: string
  /** The value axis's name, at its end ("小时"), when the labels carry no unit. */
  axisName?: string
  /** Show the unit on the axis labels too ("50%"). */
  unitOnAxis?: boolean
  max?: number
}

/**
 * Horizontal bars, one row per category (top to bottom in the given order: ECharts draws a
 * category axis from the bottom).
 */
export function horizontalBars(categories: string[], series: BarSeries[], scale: BarScale = {}): ChartOption {
  const unit = scale.unit ?? ''
  return {
    ...baseOption(),
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      valueFormatter: (value: number | null) => (value === null || value === undefined ? '—' : `${value}${unit}`),
    },
    legend: series.length > 1 ? { top: 0, itemGap: 16, textStyle: { color: AXIS_TEXT } } : undefined,
    grid: { left: 8, right: scale.axisName ? 48 : 24, top: series.length > 1 ? 32 : 8, bottom: 4, containLabel: true },
    xAxis: valueAxis({
      max: scale.max,
      name: scale.axisName,
      nameLocation: 'end',
      nameTextStyle: { color: AXIS_TEXT },
      axisLabel: { color: AXIS_TEXT, formatter: scale.unitOnAxis ? `{value}${unit}` : '{value}' },
    }),
    yAxis: categoryAxis([...categories].reverse(), { axisLabel: { color: TEXT, width: 96, overflow: 'truncate' } }),
    series: series.map((s) => ({
      type: 'bar',
      name: s.name,
      stack: s.stack,
      barMaxWidth: 16,
      barGap: '20%',
      itemStyle: s.color ? { color: s.color } : undefined,
      data: [...s.data].reverse(),
    })),
  }
}

/** A height that gives each of `rows` bars room (with a legend above when there are several series). */
export function barsHeight(rows: number, seriesCount = 1): string {
  return `${Math.max(140, rows * (seriesCount > 1 ? 44 : 30) + (seriesCount > 1 ? 56 : 24))}px`
}
