/**
 * Everyone the chat screens name: looked up once by id, cached for the visit.
 * Lookups asked for in the same tick go out together, a few at a time.
 */
import { reactive } from 'vue'
import type { User } from '../api/types'
import { getUser } from '../org/api'
import { translate } from '../i18n'

const known = reactive(new Map<number, User>())
const asked = new Set<number>()
let queue: number[] = []
let scheduled = false
const PARALLEL = 6

async function drain(): Promise<void> {
  scheduled = false
  const ids = queue
  queue = []
  for (let i = 0; i < ids.length; i += PARALLEL) {
    await Promise.all(
      ids.slice(i, i + PARALLEL).map((id) =>
        getUser(id).then(
          (user) => void known.set(id, user),
          () => asked.delete(id), // asked again on the next render
        ),
      ),
    )
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
