import { api } from '../api/client'
import type { AuditEntry, Department, Page, Schema, User } from '../api/types'

export type NewUser = Schema<'UserCreate'>
export type UserPatch = Schema<'UserUpdate'>
export type NewDepartment = Schema<'DepartmentCreate'>
export type DepartmentPatch = Schema<'DepartmentUpdate'>

export interface AuditQuery {
  action?: string
  actor_id?: number | null
  cursor?: string | null
  limit?: number
}

export const createUser = (input: NewUser) => api.post<User>('/api/v1/users', input)

export const updateUser = (id: number, patch: UserPatch) => api.patch<User>(`/api/v1/users/${id}`, patch)

export const createDepartment = (input: NewDepartment) => api.post<Department>('/api/v1/departments', input)

export const updateDepartment = (id: number, patch: DepartmentPatch) =>
  api.patch<Department>(`/api/v1/departments/${id}`, patch)

export const listAudit = (query: AuditQuery, signal?: AbortSignal) =>
  api.get<Page<AuditEntry>>('/api/v1/audit', { limit: 50, ...query }, signal)

/** The server's job states (`xietong.jobs.models.JobState`); `failed` is dead-lettered. */
export const JOB_STATES = ['queued', 'running', 'failed', 'done', 'cancelled'] as const
export type JobState = (typeof JOB_STATES)[number]

export interface Job {
  id: number
  kind: string
  state: JobState
  run_at: string
  attempts: number
  max_attempts: number
  last_error: string | null
  key: string | null
  recurrence: string | null
  created_at: string
  finished_at: string | null
}

export interface JobPage extends Page<Job> {
  /** The company's time zone (IANA), in which the page shows times. */
  time_zone: string
}

export const listJobs = (state: JobState | null, cursor: string | null, signal?: AbortSignal) =>
  api.get<JobPage>('/api/v1/admin/jobs', { state, cursor }, signal)

export const retryJob = (id: number) => api.post<Job>(`/api/v1/admin/jobs/${id}/retry`)
