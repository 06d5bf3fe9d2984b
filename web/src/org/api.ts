import { api } from '../api/client'
import type { Department, ItemList, Page, User } from '../api/types'

export interface UserQuery {
  q?: string
  department_id?: number | null
  cursor?: string | null
  limit?: number
  /** Admin screens also list deactivated accounts. */
  include_inactive?: boolean
}

export function listUsers(query: UserQuery, signal?: AbortSignal): Promise<Page<User>> {
  return api.get<Page<User>>('/api/v1/users', { limit: 50, ...query }, signal)
}

/** The server answers at most this many ids per lookup. */
export const LOOKUP_LIMIT = 200

/** Several people at once; those the caller may not see (or that don't exist) are left out. */
export function lookupUsers(ids: readonly number[]): Promise<User[]> {
  return api.get<User[]>('/api/v1/users/lookup', { ids })
}

export function getUser(id: number, signal?: AbortSignal): Promise<User> {
  return api.get<User>(`/api/v1/users/${id}`, undefined, signal)
}

export async function listDepartments(): Promise<Department[]> {
  return (await api.get<ItemList<Department>>('/api/v1/departments')).items
}
