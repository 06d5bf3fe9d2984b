/** Shapes of the API's JSON, as documented in shared/API.md. */

export type Role = 'owner' | 'admin' | 'member' | 'guest'
export const ROLES: readonly Role[] = ['owner', 'admin', 'member', 'guest']

export interface User {
  id: number
  username: string
  display_name: string
  email: string | null
  phone: string | null
  title: string | null
  avatar_url: string | null
  role: Role
  active: boolean
  department_ids: number[]
  primary_department_id: number | null
  created_at: string
}

export interface Department {
  id: number
  name: string
  parent_id: number | null
  manager_ids: number[]
  member_count: number
  position: number
  children: Department[]
}

/** A cursor-paged list. */
export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

/** A non-paged list. */
export interface ItemList<T> {
  items: T[]
}

export interface LoginResponse {
  user: User
  token: string
  csrf_token: string
}

export interface AuditEntry {
  id: number
  at: string
  actor_id: number | null
  action: string
  target: string | null
  ip: string | null
  details: unknown
}
