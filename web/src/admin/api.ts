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
