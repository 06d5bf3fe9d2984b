/**
 * An approval flow in words, in the UI language: "法务部负责人 + 财务部负责人（会签）" for a
 * step, the steps joined by arrows for the whole flow. Called during render, so it follows a
 * language switch and the names as they load.
 */
import { displayName } from '../chat/people'
import { translate } from '../i18n'
import { useDepartments } from '../org/departments'
import { REQUESTER_DEPARTMENT, type ApproverSpec, type StepSpec } from './flows'

const departments = useDepartments()

export function approverText(approver: ApproverSpec): string {
  if (approver.user_id !== null && approver.user_id !== undefined) return displayName(approver.user_id)
  if (approver.manager_of === REQUESTER_DEPARTMENT) return translate('workflowAdmin.approvers.requesterManager')
  const id = Number(approver.manager_of)
  const name = departments.byId.value.get(id)?.name
  return name
    ? translate('workflowAdmin.approvers.managerOf', { department: name })
    : translate('workflowAdmin.approvers.managerOfNumber', { id })
}

/** One step: a single approver as is; several joined by "+" (会签) or "/" (或签) with the mode. */
export function stepText(step: StepSpec): string {
  const names = step.approvers.map(approverText)
  if (step.mode === 'one') return names.join('')
  const joined = names.join(step.mode === 'all' ? ' + ' : ' / ')
  return translate('workflowAdmin.summary.step', { approvers: joined, mode: translate(`workflowAdmin.summary.${step.mode}`) })
}

export function flowSummary(steps: readonly StepSpec[]): string {
  return steps.map(stepText).join(' → ')
}
