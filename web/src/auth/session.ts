/**
 * The signed-in user, shared by the router guard and every screen.
 * The session itself lives in the HttpOnly cookie; this only mirrors /auth/session.
 */
import { computed, shallowRef } from 'vue'
import { ApiError } from '../api/client'
import type { User } from '../api/types'
import { fetchSession, login, logout } from './api'

const user = shallowRef<User | null>(null)
let loaded: Promise<User | null> | null = null
const endListeners = new Set<() => void>()

/** Read-only view for components; only this module changes who is signed in. */
export const currentUser = computed(() => user.value)

export function isAdmin(u: User | null): boolean {
  return u !== null && (u.role === 'owner' || u.role === 'admin')
}

/** Resolves the current user once per page load; null when not signed in. */
export function ensureSession(): Promise<User | null> {
  loaded ??= fetchSession().then(
    (session) => (user.value = session.user ?? null),
    (error: unknown) => {
      // A 401 would mean signed out as well; other failures are retried on the next navigation.
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

/**
 * Registers what must be dropped when the session ends, however it ends (the menu's sign-out,
 * a 401, the event socket closed as signed out): the per-user state kept in memory.
 */
export function onSessionEnd(listener: () => void): () => void {
  endListeners.add(listener)
  return () => endListeners.delete(listener)
}

function dropUserState(): void {
  for (const listener of [...endListeners]) listener()
}

export async function signOut(): Promise<void> {
  // Before the server call, so the event socket closes as ours rather than as signed out.
  dropUserState()
  try {
    await logout()
  } finally {
    // Forget the user locally even if the server call failed; the UI must not stay signed in.
    forgetSession()
  }
}

/** Drops local state after the session ended: signed out here, or the server said it is gone. */
export function forgetSession(): void {
  dropUserState()
  user.value = null
  loaded = Promise.resolve(null)
}
