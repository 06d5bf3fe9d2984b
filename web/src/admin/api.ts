import { api } from '../api/client'
import type { AuditEntry, Department, Page, Role, Schema, User } from '../api/types'

export type NewUser = Schema<'UserCreate'>
export type UserPatch = Schema<'UserUpdate'>
export type NewDepartment = Schema<'DepartmentCreate'>
export type DepartmentPatch = Schema<'DepartmentUpdate'>

export type Account = Schema<'AccountOut'>
export type AccountStatus = Schema<'AccountStatus'>
export type PasswordReset = Schema<'PasswordReset'>
export type ImportReport = Schema<'ImportReport'>
export type ImportRow = Schema<'ImportRow'>
export type ImportProblem = Schema<'ImportProblem'>
export type ImportedAccount = Schema<'ImportedAccount'>
export type AuditAction = Schema<'AuditAction'>

export interface AccountQuery {
  q?: string
  department_id?: number | null
  role?: Role | null
  status?: AccountStatus | null
  cursor?: string | null
  limit?: number
}

export interface AuditQuery {
  action?: string
  person_id?: number | null
  /** ISO date-times; `until` is exclusive. */
  since?: string | null
  until?: string | null
  cursor?: string | null
  limit?: number
}

export const listAccounts = (query: AccountQuery, signal?: AbortSignal) =>
  api.get<Page<Account>>('/api/v1/admin/users', { limit: 50, ...query }, signal)

export const resetPassword = (id: number) => api.post<PasswordReset>(`/api/v1/users/${id}/password-reset`)

/** Checks (`dryRun`) or imports a CSV or XLSX file of people. */
export function importPeople(file: File, dryRun: boolean): Promise<ImportReport> {
  const form = new FormData()
  form.append('file', file, file.name)
  return api.post<ImportReport>('/api/v1/users/import', form, { query: { dry_run: dryRun } })
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
