/**
 * The signed-in user, shared by the router guard and every screen.
 * The session itself lives in the HttpOnly cookie; this only mirrors /users/me.
 */
import { computed, shallowRef } from 'vue'
import { ApiError } from '../api/client'
import type { User } from '../api/types'
import { fetchMe, login, logout } from './api'

const user = shallowRef<User | null>(null)
let loaded: Promise<User | null> | null = null

/** Read-only view for components; only this module changes who is signed in. */
export const currentUser = computed(() => user.value)

export function isAdmin(u: User | null): boolean {
  return u !== null && (u.role === 'owner' || u.role === 'admin')
}

/** Resolves the current user once per page load; null when not signed in. */
export function ensureSession(): Promise<User | null> {
  loaded ??= fetchMe().then(
    (me) => (user.value = me),
    (error: unknown) => {
      // Only 401 means "signed out"; let other failures be retried on the next navigation.
      if (error instanceof ApiError && error.status === 401) return (user.value = null)
      loaded = null
      throw error
    },
  )
  return loaded
}

export async function signIn(loginName: string, password: string): Promise<User> {
  const response = await login(loginName, password)
  user.value = response.user
  loaded = Promise.resolve(response.user)
  return response.user
}

export async function signOut(): Promise<void> {
  try {
    await logout()
  } finally {
    // Forget the user locally even if the server call failed; the UI must not stay signed in.
    forgetSession()
  }
}

/** Drops local state after the server said the session is gone (a 401). */
export function forgetSession(): void {
  user.value = null
  loaded = Promise.resolve(null)
}

/** Replaces the mirrored user after an edit of the own profile. */
export function updateCurrentUser(updated: User): void {
  if (user.value?.id === updated.id) user.value = updated
}
