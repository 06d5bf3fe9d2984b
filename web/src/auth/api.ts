import { api, request } from '../api/client'
import type { LoginResponse, Schema } from '../api/types'

export function login(loginName: string, password: string): Promise<LoginResponse> {
  // A 401 here means bad credentials, not an expired session.
  return api.post<LoginResponse>('/api/v1/auth/login', { login: loginName, password }, { redirectOn401: false })
}

export function logout(): Promise<void> {
  return api.post<void>('/api/v1/auth/logout', undefined, { redirectOn401: false })
}

/**
 * Who this browser is signed in as, if anyone. Asked on every page load before anything is
 * known: it answers 200 either way (`/users/me` would answer 401, which the browser logs as
 * an error on every visit to the sign-in page).
 */
export function fetchSession(): Promise<Schema<'SessionOut'>> {
  return request<Schema<'SessionOut'>>('/api/v1/auth/session', { redirectOn401: false })
}

export function changePassword(oldPassword: string, newPassword: string): Promise<void> {
  // Some servers answer a wrong old password with 401; that must not sign the user out.
  return api.post<void>(
    '/api/v1/users/me/password',
    { old_password: oldPassword, new_password: newPassword },
    { redirectOn401: false },
  )
}
