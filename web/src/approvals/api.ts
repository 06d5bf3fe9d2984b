/** Approvals over HTTP (docs/api.md "Approvals"): the inbox, decisions, 加签 and the delegate. */
import { api } from '../api/client'
import type { Page, Schema } from '../api/types'

export type ApprovalItem = Schema<'ApprovalItem'>
export type Approval = Schema<'ApprovalOut'>
/** An approval as a request embeds it (`request.approval`): its steps, without the rest. */
export type ApprovalSummary = Schema<'ApprovalSummary'>
export type ApprovalTask = Schema<'ApprovalTaskOut'>
export type ApprovalStep = Schema<'StepOut'>
export type ApprovalStatus = Schema<'ApprovalStatus'>
export type ApprovalBox = Schema<'ApprovalBox'>
export type TaskState = Schema<'TaskState'>
export type StepMode = Schema<'StepMode'>
export type StepState = Schema<'StepState'>
export type Decision = Schema<'Decision'>
export type Delegation = Schema<'DelegationOut'>

// Every box once, in the order of the tabs: the compiler refuses this while the server has
// a box the client does not know.
const everyBox: { [B in ApprovalBox]: B } = { todo: 'todo', done: 'done', mine: 'mine' }
export const BOXES: readonly ApprovalBox[] = Object.values(everyBox)

export function listApprovals(box: ApprovalBox, cursor: string | null, signal?: AbortSignal): Promise<Page<ApprovalItem>> {
  return api.get<Page<ApprovalItem>>('/api/v1/approvals', { box, cursor, limit: 30 }, signal)
}

/** How many tasks wait for my decision. */
export function countTodo(signal?: AbortSignal): Promise<number> {
  return api.get<Schema<'ApprovalCounts'>>('/api/v1/approvals/counts', undefined, signal).then((counts) => counts.todo)
}

/** Decide my task; rejecting and returning need a comment (the requester reads it). */
export function decide(taskId: number, decision: Decision, comment?: string | null): Promise<ApprovalItem> {
  return api.post<ApprovalItem>(`/api/v1/approvals/${taskId}/decide`, { decision, comment: comment || undefined })
}

/** 加签: one more approver in the step of my pending task. */
export function addApprover(taskId: number, userId: number, comment?: string | null): Promise<ApprovalItem> {
  return api.post<ApprovalItem>(`/api/v1/approvals/${taskId}/add-approver`, { user_id: userId, comment: comment || undefined })
}

export function getDelegation(signal?: AbortSignal): Promise<Delegation | null> {
  return api.get<Schema<'DelegationState'>>('/api/v1/approvals/delegation', undefined, signal).then((state) => state.delegation)
}

/** Until `until` (an instant, ISO 8601 with its offset), tasks that arrive for me go to `delegateId`. */
export function setDelegation(delegateId: number, until: string): Promise<Delegation> {
  return api.put<Delegation>('/api/v1/approvals/delegation', { delegate_id: delegateId, until })
}

export function clearDelegation(): Promise<void> {
  return api.delete<void>('/api/v1/approvals/delegation')
}

/** My task waiting for my decision in this approval, if any (a request's page offers the buttons). */
export function myPendingTask(approval: ApprovalSummary, userId: number | undefined): ApprovalTask | null {
  if (userId === undefined || approval.status !== 'pending') return null
  for (const step of approval.steps) {
    const found = step.approvers.find((task) => task.user_id === userId && task.state === 'pending')
    if (found) return found
  }
  return null
}
