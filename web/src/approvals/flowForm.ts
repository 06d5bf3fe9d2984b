/**
 * An approval flow being defined in the browser: its steps as the editor holds them, the
 * checks the server makes (`approvals/schemas.py`), made here first so a mistake shows at its
 * step, and the server's own refusal put back at the step it names.
 */
import { ApiError } from '../api/client'
import { translate } from '../i18n'
import { MAX_APPROVERS_PER_STEP, NAME_LIMIT, type ApproverSpec, type Flow, type FlowDraft, type StepMode } from './flows'

export interface StepDraft {
  /** Stable across reordering: what the editor's ids and errors hang on. */
  uid: number
  mode: StepMode
  approvers: ApproverSpec[]
}

export interface FlowState {
  name: string
  steps: StepDraft[]
}

/** Messages by what they are about: `name`, `step-3`. */
export type Problems = Record<string, string>

let lastUid = 0

export function stepDraft(mode: StepMode = 'one', approvers: ApproverSpec[] = []): StepDraft {
  return { uid: ++lastUid, mode, approvers }
}

/** An approver as the editor holds it: one of the two, without the other's null. */
function plain(approver: ApproverSpec): ApproverSpec {
  return approver.user_id !== null && approver.user_id !== undefined
    ? { user_id: approver.user_id }
    : { manager_of: approver.manager_of ?? null }
}

export function flowState(flow: Flow | null): FlowState {
  return {
    name: flow?.name ?? '',
    steps: flow ? flow.steps.map((step) => stepDraft(step.mode, step.approvers.map(plain))) : [stepDraft()],
  }
}

export function sameApprover(a: ApproverSpec, b: ApproverSpec): boolean {
  return (a.user_id ?? null) === (b.user_id ?? null) && (a.manager_of ?? null) === (b.manager_of ?? null)
}

export const stepKey = (uid: number): string => `step-${uid}`

/** Why the flow cannot be sent, by what it is about; empty when it can. */
export function checkFlow(state: FlowState): Problems {
  const found: Problems = {}
  const name = state.name.trim()
  if (!name) found.name = translate('workflowAdmin.flows.errors.name')
  else if (name.length > NAME_LIMIT) found.name = translate('workflowAdmin.errors.tooLong', { max: NAME_LIMIT })
  if (state.steps.length === 0) found.steps = translate('workflowAdmin.flows.errors.noSteps')
  for (const step of state.steps) {
    const count = step.approvers.length
    if (count === 0) found[stepKey(step.uid)] = translate('workflowAdmin.flows.errors.noApprover')
    else if (step.mode === 'one' && count > 1) found[stepKey(step.uid)] = translate('workflowAdmin.flows.errors.oneMeansOne')
    else if (count > MAX_APPROVERS_PER_STEP) {
      found[stepKey(step.uid)] = translate('workflowAdmin.flows.errors.tooMany', { max: MAX_APPROVERS_PER_STEP })
    }
  }
  return found
}

export function flowBody(state: FlowState): FlowDraft {
  return { name: state.name.trim(), steps: state.steps.map((step) => ({ mode: step.mode, approvers: step.approvers })) }
}

function listOfNumbers(value: unknown): number[] {
  return Array.isArray(value) ? value.filter((item): item is number => typeof item === 'number') : []
}

/**
 * Where the server's refusal belongs: the steps naming someone who cannot approve or a
 * department that is gone (with the server's words, in the UI language), or the step or name
 * a 422 of the body's shape names; null when it belongs to no one place.
 */
export function placeFlowRefusal(error: unknown, state: FlowState): Problems | null {
  if (!(error instanceof ApiError) || error.status !== 422) return null
  const details: unknown = error.details
  const found: Problems = {}
  if (error.code === 'approval_bad_approver' || error.code === 'approval_unknown_department') {
    const named = typeof details === 'object' && details !== null ? (details as Record<string, unknown>) : {}
    const users = listOfNumbers(named.user_ids)
    const departments = listOfNumbers(named.department_ids)
    for (const step of state.steps) {
      const hit = step.approvers.some(
        (a) => users.includes(a.user_id ?? -1) || (typeof a.manager_of === 'number' && departments.includes(a.manager_of)),
      )
      if (hit) found[stepKey(step.uid)] = error.message
    }
  } else if (Array.isArray(details)) {
    for (const item of details as unknown[]) {
      if (typeof item !== 'object' || item === null || !('loc' in item) || !Array.isArray(item.loc)) continue
      const [, where, index] = item.loc as unknown[]
      if (where === 'name') found.name = translate('workflowAdmin.errors.invalid')
      else if (where === 'steps' && typeof index === 'number' && state.steps[index]) {
        found[stepKey(state.steps[index].uid)] = translate('workflowAdmin.errors.invalid')
      } else return null
    }
  }
  return Object.keys(found).length ? found : null
}
