/**
 * 数据洞察's calls (`/api/v1/analytics/...`): every chart takes the same query — the period
 * (`from`, `to`: company days, inclusive) and a department (its subtree) — and has a CSV and an
 * Excel export at `/export/{chart}.csv|.xlsx` with that same query.
 */
import { request, type Query } from '../api/client'
import type { Page } from '../api/types'

const BASE = '/api/v1/analytics'

// ---- shapes (the design's; replaced by the generated ones once the API is there) ----------

export type Scope = 'company' | 'departments' | 'overview'

export interface AnalyticsAccess {
  scope: Scope
  department_ids: number[]
  min_group_size: number
}

export interface DayRange {
  from: string
  to: string
}

export interface OverviewTotals {
  messages: number
  files_uploaded: number
  files_downloaded: number
  searches: number
  requests_filed: number
  tasks_completed: number
}

export interface OverviewPeople {
  dau_avg: number
  wau: number
  mau: number
  active_share: number
}

export interface OverviewDay {
  day: string
  active: number
  messages_by_kind: Record<string, number>
  files_uploaded: number
  files_downloaded: number
  searches: number
}

export interface Overview {
  range: DayRange
  previous: DayRange
  people: OverviewPeople
  previous_people?: OverviewPeople | null
  totals: OverviewTotals
  previous_totals: OverviewTotals
  daily: OverviewDay[]
  today_hourly: { hour: string; messages: number }[]
}

export interface NetworkNode {
  department_id: number
  name: string
  people: number
  messages: number | null
  cross_messages: number | null
  cross_share: number | null
  island: boolean
  suppressed: boolean
}

export interface NetworkEdge {
  from_department_id: number
  to_department_id: number
  messages: number
  mentions: number
  requests: number
  kudos: number
  weight: number
}

export interface Network {
  threshold: number
  nodes: NetworkNode[]
  edges: NetworkEdge[]
}

export interface ResponseFigures {
  count: number | null
  median_hours: number | null
  p90_hours: number | null
}

export interface ResponsivenessRow {
  department_id: number
  name: string
  suppressed: boolean
  mentions: (ResponseFigures & { answered: number | null }) | null
  requests: (ResponseFigures & { responded: number | null }) | null
}

export interface Responsiveness {
  rows: ResponsivenessRow[]
}

export interface SlaRow {
  department_id: number
  name: string
  type_id: number
  type_name: string
  filed: number | null
  response_met: number | null
  resolution_met: number | null
  breached: number | null
  compliance: number | null
  suppressed?: boolean
}

export interface Sla {
  rows: SlaRow[]
  company: { filed: number; breached: number; compliance: number | null }
}

export interface DeliveryFigures {
  suppressed?: boolean
  created: number | null
  completed: number | null
  completion_rate: number | null
  median_cycle_days: number | null
  overdue_open: number | null
  overdue_rate: number | null
  completed_late: number | null
}

export interface Delivery {
  departments: (DeliveryFigures & { department_id: number; name: string })[]
  projects: (DeliveryFigures & { project_id: number; name: string })[]
}

export interface Satisfaction {
  requests: {
    department_id: number
    name: string
    suppressed?: boolean
    ratings: number | null
    average: number | null
    distribution: number[] | null
  }[]
  surveys: { survey_id: number; title: string; kind: 'nps' | 'scale'; responses: number; score: number | null }[]
}

export interface Adoption {
  weeks: string[]
  rows: { department_id: number; name: string; people: number; suppressed: boolean; shares: (number | null)[] | null }[]
}

export interface SlaRequestItem {
  id: number
  title: string
  type_name?: string | null
  department_name?: string | null
  filed_at: string
  status?: string | null
  response_breached?: boolean | null
  resolution_breached?: boolean | null
}

export interface DeliveryTaskItem {
  id: number
  title: string
  project_id: number
  project_name?: string | null
  due_at?: string | null
  completed_at?: string | null
}

export type ReportStatus = 'pending' | 'ready' | 'failed'

export interface MaturityReport {
  id: number
  period: string
  department_id: number | null
  department_name?: string | null
  status: ReportStatus
  generated_at: string | null
}

// ---- the query every chart takes ---------------------------------------------------------

export interface AnalyticsQuery {
  from: string
  to: string
  department_id: number | null
}

function asQuery(q: AnalyticsQuery, extra: Query = {}): Query {
  return { from: q.from, to: q.to, department_id: q.department_id, ...extra }
}

export type ChartName = 'overview' | 'network' | 'responsiveness' | 'sla' | 'delivery' | 'satisfaction' | 'adoption'

/** Where a chart's figures download as CSV or Excel, for the same period and department. */
export function exportUrl(chart: ChartName, format: 'csv' | 'xlsx', q: AnalyticsQuery): string {
  const params = new URLSearchParams({ from: q.from, to: q.to })
  if (q.department_id !== null) params.set('department_id', String(q.department_id))
  return `${BASE}/export/${chart}.${format}?${params.toString()}`
}

export function getAccess(signal?: AbortSignal): Promise<AnalyticsAccess> {
  return request<AnalyticsAccess>(`${BASE}/access`, { signal })
}

export interface ChartShapes {
  overview: Overview
  network: Network
  responsiveness: Responsiveness
  sla: Sla
  delivery: Delivery
  satisfaction: Satisfaction
  adoption: Adoption
}

export function getChart<C extends ChartName>(chart: C, q: AnalyticsQuery, signal?: AbortSignal): Promise<ChartShapes[C]> {
  return request<ChartShapes[C]>(`${BASE}/${chart}`, { query: asQuery(q), signal })
}

export function listSlaRequests(
  q: AnalyticsQuery,
  filter: { department_id: number; type_id?: number | null; breached?: boolean | null },
  cursor: string | null,
  signal?: AbortSignal,
): Promise<Page<SlaRequestItem>> {
  return request<Page<SlaRequestItem>>(`${BASE}/sla/requests`, {
    query: asQuery(q, { department_id: filter.department_id, type_id: filter.type_id, breached: filter.breached, cursor }),
    signal,
  })
}

export type TaskKind = 'overdue' | 'late' | 'completed'

export function listDeliveryTasks(
  q: AnalyticsQuery,
  filter: { department_id?: number | null; project_id?: number | null; kind: TaskKind },
  cursor: string | null,
  signal?: AbortSignal,
): Promise<Page<DeliveryTaskItem>> {
  return request<Page<DeliveryTaskItem>>(`${BASE}/delivery/tasks`, {
    query: asQuery(q, { department_id: filter.department_id ?? null, project_id: filter.project_id, kind: filter.kind, cursor }),
    signal,
  })
}

export function listReports(cursor: string | null, signal?: AbortSignal): Promise<Page<MaturityReport>> {
  return request<Page<MaturityReport>>(`${BASE}/reports`, { query: { cursor }, signal })
}

export function generateReport(period: string, departmentId: number | null): Promise<MaturityReport> {
  return request<MaturityReport>(`${BASE}/reports`, {
    method: 'POST',
    body: departmentId === null ? { period } : { period, department_id: departmentId },
  })
}

export function reportUrl(id: number, format: 'html' | 'pdf'): string {
  return `${BASE}/reports/${id}.${format}`
}
