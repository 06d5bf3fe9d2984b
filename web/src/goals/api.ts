/** Goals (OKR) over HTTP (API.md "Goals"), under the client's names. */
import { api } from '../api/client'
import type { ItemList, Schema } from '../api/types'

export type Objective = Schema<'ObjectiveOut'>
/** An objective as its events carry it: `ObjectiveOut` without the caller's `can` and children. */
export type ObjectiveData = Schema<'ObjectiveData'>
export type ObjectiveList = Schema<'ObjectiveList'>
export type ObjectiveDraft = Schema<'ObjectiveCreate'>
export type ObjectivePatch = Schema<'ObjectiveUpdate'>
export type KeyResult = Schema<'KeyResultOut'>
export type KeyResultAdded = Schema<'KeyResultAdded'>
export type KeyResultDraft = Schema<'KeyResultCreate'>
export type KeyResultPatch = Schema<'KeyResultUpdate'>
export type CheckIn = Schema<'CheckInOut'>
export type CheckInDraft = Schema<'CheckInCreate'>
export type Level = Schema<'Level'>
export type GoalVisibility = Schema<'GoalVisibility'>
export type KeyResultKind = Schema<'KeyResultKind'>

// Every value once, in the order the screens list them: the compiler refuses these while the
// server has one the client does not know.
const everyLevel: { [L in Level]: L } = { company: 'company', department: 'department', person: 'person' }
export const LEVELS: readonly Level[] = Object.values(everyLevel)
const everyVisibility: { [V in GoalVisibility]: V } = { company: 'company', department: 'department', private: 'private' }
export const GOAL_VISIBILITIES: readonly GoalVisibility[] = Object.values(everyVisibility)
const everyKind: { [K in KeyResultKind]: K } = { metric: 'metric', tasks: 'tasks' }
export const KEY_RESULT_KINDS: readonly KeyResultKind[] = Object.values(everyKind)

/** The period's objectives the caller sees, each under the one it serves; no `period`: this quarter. */
export function listObjectives(period: string | null, signal?: AbortSignal): Promise<ObjectiveList> {
  return api.get<ObjectiveList>('/api/v1/objectives', { period, tree: true }, signal)
}

export function createObjective(draft: ObjectiveDraft): Promise<Objective> {
  return api.post<Objective>('/api/v1/objectives', draft)
}

export function updateObjective(id: number, patch: ObjectivePatch): Promise<Objective> {
  return api.patch<Objective>(`/api/v1/objectives/${id}`, patch)
}

/** The objective, with its new key result last (the server answers the key result with its objective). */
export async function addKeyResult(objectiveId: number, draft: KeyResultDraft): Promise<Objective> {
  return (await api.post<KeyResultAdded>(`/api/v1/objectives/${objectiveId}/key-results`, draft)).objective
}

export function updateKeyResult(id: number, patch: KeyResultPatch): Promise<Objective> {
  return api.patch<Objective>(`/api/v1/key-results/${id}`, patch)
}

export function deleteKeyResult(id: number): Promise<void> {
  return api.delete<void>(`/api/v1/key-results/${id}`)
}

export function checkIn(keyResultId: number, draft: CheckInDraft): Promise<CheckIn> {
  return api.post<CheckIn>(`/api/v1/key-results/${keyResultId}/check-ins`, draft)
}

/** Newest first. */
export function listCheckIns(keyResultId: number, signal?: AbortSignal): Promise<CheckIn[]> {
  return api
    .get<ItemList<CheckIn>>(`/api/v1/key-results/${keyResultId}/check-ins`, undefined, signal)
    .then((list) => list.items)
}
