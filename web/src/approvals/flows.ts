/** Approval flows over HTTP (API.md "Approvals"), under the client's names. */
import { api } from '../api/client'
import type { Page, Schema } from '../api/types'

export type Flow = Schema<'FlowOut'>
export type FlowDraft = Schema<'FlowCreate'>
export type FlowPatch = Schema<'FlowUpdate'>
export type StepSpec = Schema<'StepSpec'>
export type ApproverSpec = Schema<'ApproverSpec'>
export type StepMode = Schema<'StepMode'>

/** `manager_of` this: the managers of the requester's own department (or the nearest above). */
export const REQUESTER_DEPARTMENT = 'requester_department'

// Every mode once, in the order they are offered: the compiler refuses this while the server
// has a mode the client does not know.
const everyMode: { [M in StepMode]: M } = { one: 'one', any: 'any', all: 'all' }
export const STEP_MODES: readonly StepMode[] = Object.values(everyMode)

// The server's limits (`approvals/schemas.py`).
export const MAX_STEPS = 10
export const MAX_APPROVERS_PER_STEP = 20
export const NAME_LIMIT = 64

/** Every flow, newest first (archived ones too when asked): a company has a few dozen. */
export async function listFlows(includeArchived: boolean, signal?: AbortSignal): Promise<Flow[]> {
  const flows: Flow[] = []
  let cursor: string | null = null
  do {
    const page: Page<Flow> = await api.get<Page<Flow>>(
      '/api/v1/approval-flows',
      { include_archived: includeArchived, cursor, limit: 100 },
      signal,
    )
    flows.push(...page.items)
    cursor = page.next_cursor
  } while (cursor)
  return flows
}

/** Administrators only. */
export function createFlow(draft: FlowDraft): Promise<Flow> {
  return api.post<Flow>('/api/v1/approval-flows', draft)
}

export function updateFlow(id: number, patch: FlowPatch): Promise<Flow> {
  return api.patch<Flow>(`/api/v1/approval-flows/${id}`, patch)
}
