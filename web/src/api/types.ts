/**
 * Shapes of the API's JSON under the names the client uses. They are the server's own, from
 * `schema.d.ts`, which `make types` generates from its OpenAPI document (never edit that by
 * hand: a test fails when it is stale).
 */
import type { components } from './schema'

/** A component of the server's OpenAPI document, by name. */
export type Schema<Name extends keyof components['schemas']> = components['schemas'][Name]

export type Role = Schema<'Role'>
// Every role once, highest first: the compiler refuses this while a role is missing.
const everyRole: { [R in Role]: R } = { owner: 'owner', admin: 'admin', member: 'member', guest: 'guest' }
export const ROLES: readonly Role[] = Object.values(everyRole)

export type User = Schema<'UserOut'>
export type Department = Schema<'DepartmentNode'>
export type LoginResponse = Schema<'LoginOut'>
export type AuditEntry = Schema<'AuditEntryOut'>

/** A cursor-paged list (`UserPage`, `AuditPage`, …: every one has this shape). */
export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

/** A non-paged list. */
export interface ItemList<T> {
  items: T[]
}

// ---- the event socket's frames (API.md "Events") ----------------------------------------

/** A logged event frame: has an id, is replayed on resume. Narrow it by `type`. */
export type EventFrame = Schema<'EventFrame'>
/** A frame that is never logged (hello, typing, presence, pong, error). */
export type EphemeralFrame = Schema<'EphemeralFrame'>
export type SocketFrame = Schema<'SocketFrame'>
export type EventType = EventFrame['type']
/** The logged frame of one event type. */
export type EventOf<T extends EventType> = Extract<EventFrame, { type: T }>
export type EphemeralOf<T extends EphemeralFrame['type']> = Extract<EphemeralFrame, { type: T }>
