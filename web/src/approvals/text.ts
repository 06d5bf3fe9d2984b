/**
 * Approvals in words, in the UI language: a flow's status, a step's mode and state, a task's
 * state (an approver's decision). Called during render, so it follows a language switch.
 */
import { translate, type MessageKey } from '../i18n'
import type { Tone } from '../ui/ToneBadge.vue'
import type { ApprovalStatus, ApprovalStep, StepMode, StepState, TaskState } from './api'

const STATUS_KEYS: { [S in ApprovalStatus]: MessageKey } = {
  pending: 'approvals.statuses.pending',
  approved: 'approvals.statuses.approved',
  rejected: 'approvals.statuses.rejected',
  returned: 'approvals.statuses.returned',
  withdrawn: 'approvals.statuses.withdrawn',
}

const MODE_KEYS: { [M in StepMode]: MessageKey } = {
  one: 'approvals.modes.one',
  any: 'approvals.modes.any',
  all: 'approvals.modes.all',
}

const STEP_KEYS: { [S in StepState]: MessageKey } = {
  waiting: 'approvals.steps.states.waiting',
  pending: 'approvals.steps.states.pending',
  approved: 'approvals.steps.states.approved',
  rejected: 'approvals.steps.states.rejected',
  returned: 'approvals.steps.states.returned',
  skipped: 'approvals.steps.states.skipped',
}

const TASK_KEYS: { [S in TaskState]: MessageKey } = {
  waiting: 'approvals.tasks.waiting',
  pending: 'approvals.tasks.pending',
  approved: 'approvals.tasks.approved',
  rejected: 'approvals.tasks.rejected',
  returned: 'approvals.tasks.returned',
  not_needed: 'approvals.tasks.not_needed',
}

export function approvalStatusLabel(status: ApprovalStatus): string {
  return translate(STATUS_KEYS[status])
}

/** How a step completes as people know it: a `one` step that names a department with two
 * managers is decided by either of them, as a 或签 step is. */
export function stepMode(step: Pick<ApprovalStep, 'mode' | 'approvers'>): StepMode {
  return step.mode === 'one' && step.approvers.length > 1 ? 'any' : step.mode
}

/** Whether the step's mode is worth saying (not for a single approver). */
export function showsMode(step: Pick<ApprovalStep, 'mode' | 'approvers'>): boolean {
  return stepMode(step) !== 'one'
}

/** 或签 / 会签 (单人审批 for a single approver, which rows do not say). */
export function modeLabel(mode: StepMode): string {
  return translate(MODE_KEYS[mode])
}

export function stepStateLabel(state: StepState): string {
  return translate(STEP_KEYS[state])
}

export function taskStateLabel(state: TaskState): string {
  return translate(TASK_KEYS[state])
}

const TONES: { [S in ApprovalStatus | StepState | TaskState]: Tone } = {
  pending: 'info',
  approved: 'ok',
  rejected: 'bad',
  returned: 'waiting',
  withdrawn: 'idle',
  waiting: 'idle',
  skipped: 'idle',
  not_needed: 'idle',
}

/** The colour a state is shown in (`ToneBadge`): what it means, whichever thing it names. */
export function toneOf(state: ApprovalStatus | StepState | TaskState): Tone {
  return TONES[state]
}
