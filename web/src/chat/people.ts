/**
 * Everyone the screens name: looked up once by id, cached for the visit.
 * Ids asked for in the same tick go out together in one lookup (up to the server's limit).
 */
import { reactive } from 'vue'
import type { User } from '../api/types'
import { LOOKUP_LIMIT, lookupUsers } from '../org/api'
import { translate } from '../i18n'

const known = reactive(new Map<number, User>())
const asked = new Set<number>()
let queue: number[] = []
let scheduled = false

async function drain(): Promise<void> {
  scheduled = false
  const ids = queue
  queue = []
  for (let i = 0; i < ids.length; i += LOOKUP_LIMIT) {
    const batch = ids.slice(i, i + LOOKUP_LIMIT)
    try {
      // Ids the answer leaves out (hidden or gone) stay asked: they would be left out again.
      for (const user of await lookupUsers(batch)) known.set(user.id, user)
    } catch {
      for (const id of batch) asked.delete(id) // asked again on the next render
    }
  }
}

/** The person with this id, or undefined until their profile has loaded. */
export function person(id: number): User | undefined {
  const found = known.get(id)
  if (found) return found
  if (!asked.has(id)) {
    asked.add(id)
    queue.push(id)
    if (!scheduled) {
      scheduled = true
      queueMicrotask(() => void drain())
    }
  }
  return undefined
}

export function displayName(id: number): string {
  return person(id)?.display_name ?? translate('chat.someone')
}

/** Profiles that arrived another way (a directory search, the signed-in user). */
export function rememberPeople(users: User[]): void {
  for (const user of users) {
    known.set(user.id, user)
    asked.add(user.id)
  }
}
