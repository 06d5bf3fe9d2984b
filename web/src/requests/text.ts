/**
 * Requests in words, in the UI language: statuses, actions, the SLA's time left, a timeline
 * entry as a sentence and a form value as people read it. Called during render, so it follows
 * a language switch.
 */
import { displayName } from '../chat/people'
import { translate, type MessageKey } from '../i18n'
import { useDepartments } from '../org/departments'
import type { Action, FieldSpec, RequestStatus, TimelineEntry } from './api'
import type { ClockName, ClockState } from './sla'

const STATUS_KEYS: { [S in RequestStatus]: MessageKey } = {
  new: 'requests.statuses.new',
  accepted: 'requests.statuses.accepted',
  in_progress: 'requests.statuses.in_progress',
  waiting: 'requests.statuses.waiting',
  resolved: 'requests.statuses.resolved',
  closed: 'requests.statuses.closed',
  rejected: 'requests.statuses.rejected',
  withdrawn: 'requests.statuses.withdrawn',
}

export function statusLabel(status: RequestStatus): string {
  return translate(STATUS_KEYS[status])
}

const ACTION_KEYS: { [A in Action | 'assign' | 'rate']: MessageKey } = {
  accept: 'requests.actions.accept',
  start: 'requests.actions.start',
  wait: 'requests.actions.wait',
  resume: 'requests.actions.resume',
  resolve: 'requests.actions.resolve',
  confirm: 'requests.actions.confirm',
  reopen: 'requests.actions.reopen',
  reject: 'requests.actions.reject',
  withdraw: 'requests.actions.withdraw',
  assign: 'requests.actions.assign',
  rate: 'requests.actions.rate',
}

export function actionLabel(action: Action | 'assign' | 'rate'): string {
  return translate(ACTION_KEYS[action])
}

export function clockName(clock: ClockName): string {
  return translate(clock === 'response' ? 'requests.sla.response' : 'requests.sla.resolution')
}

/** A stretch of working time as people say it: "35 分钟", "2 小时 15 分钟", "3 个工作日". */
export function durationText(ms: number, hoursPerDay: number): string {
  const minutes = Math.floor(ms / 60_000)
  if (minutes < 1) return translate('requests.sla.underMinute')
  if (minutes < 60) return translate('requests.sla.minutes', { n: minutes })
  const hours = Math.floor(minutes / 60)
  const rest = minutes % 60
  // Days of working time, once there are two or more: "16 小时" would read as a wall-clock day.
  if (hoursPerDay > 0 && hours >= 2 * hoursPerDay) return translate('requests.sla.days', { n: Math.floor(hours / hoursPerDay) })
  if (hours < 3) return rest > 0 ? translate('requests.sla.hoursMinutes', { h: hours, m: rest }) : translate('requests.sla.hours', { n: hours })
  // Past three hours the nearest hour will do: "7 小时" for 7 h 59 min would look a slip.
  return translate('requests.sla.hours', { n: Math.round(minutes / 60) })
}

/** What a running or paused clock's badge says: "剩余 2 小时", "已超时 35 分钟", "已暂停". */
export function clockText(state: ClockState, hoursPerDay: number): string {
  if (state.kind === 'paused') return translate('requests.sla.paused')
  if (state.kind === 'running') {
    if (state.left >= 0 && state.tone !== 'late') {
      if (state.left < 60_000) return translate('requests.sla.leftUnderMinute')
      return translate('requests.sla.left', { time: durationText(state.left, hoursPerDay) })
    }
    const over = Math.abs(state.left)
    return over < 60_000 ? translate('requests.sla.overdueJust') : translate('requests.sla.overdue', { time: durationText(over, hoursPerDay) })
  }
  if (state.kind === 'met') return translate(state.late ? 'requests.sla.metLate' : 'requests.sla.metOnTime')
  return state.late ? translate('requests.sla.stoppedLate') : translate('requests.sla.stopped')
}

// ---- the timeline --------------------------------------------------------------------------

const TRANSITION_KEYS: { [A in Action]: MessageKey } = {
  accept: 'requests.timeline.accept',
  start: 'requests.timeline.start',
  wait: 'requests.timeline.wait',
  resume: 'requests.timeline.resume',
  resolve: 'requests.timeline.resolve',
  confirm: 'requests.timeline.confirm',
  reopen: 'requests.timeline.reopen',
  reject: 'requests.timeline.reject',
  withdraw: 'requests.timeline.withdraw',
}

function text(data: Record<string, unknown>, key: string): string {
  const value = data[key]
  return typeof value === 'string' ? value : ''
}

function id(data: Record<string, unknown>, key: string): number | null {
  const value = data[key]
  return typeof value === 'number' ? value : null
}

function isAction(value: string): value is Action {
  return value in TRANSITION_KEYS
}

/** What an entry says happened, after the name of who did it ("受理了工单", "指派给了 赵磊"). */
export function entrySentence(entry: TimelineEntry): string {
  const data = entry.data
  const clock = text(data, 'clock') === 'resolution' ? clockName('resolution') : clockName('response')
  switch (entry.kind) {
    case 'filed':
      return translate('requests.timeline.filed')
    case 'transition': {
      const action = text(data, 'action')
      const sentence = isAction(action) ? translate(TRANSITION_KEYS[action]) : translate('requests.timeline.changed')
      const reason = text(data, 'reason')
      return reason ? translate('requests.timeline.withReason', { sentence, reason }) : sentence
    }
    case 'assigned': {
      const to = id(data, 'to')
      const name = to === null ? translate('requests.unassigned') : displayName(to)
      const rule = text(data, 'rule')
      if (rule === 'round_robin') return translate('requests.timeline.assignedInTurn', { name })
      if (rule === 'least_loaded') return translate('requests.timeline.assignedByLoad', { name })
      return id(data, 'from') === null
        ? translate('requests.timeline.assigned', { name })
        : translate('requests.timeline.reassigned', { name })
    }
    case 'rated': {
      const score = id(data, 'score') ?? 0
      const comment = text(data, 'comment')
      return comment
        ? translate('requests.timeline.ratedWithComment', { score, comment })
        : translate('requests.timeline.rated', { score })
    }
    case 'comment':
      return translate('requests.timeline.commented')
    case 'sla_warning':
      return translate('requests.timeline.slaWarning', { clock })
    case 'sla_breached':
      return translate('requests.timeline.slaBreached', { clock })
    case 'sla_escalated':
      return translate('requests.timeline.slaEscalated', { clock })
    case 'approval': {
      const outcome = text(data, 'outcome')
      if (outcome === 'approved' || outcome === 'rejected' || outcome === 'returned') {
        return translate(`approvals.timeline.${outcome}`)
      }
      return translate('requests.timeline.changed')
    }
    default:
      return translate('requests.timeline.changed')
  }
}

/** What a comment said (null for the other steps). */
export function commentBody(entry: TimelineEntry): string | null {
  return entry.kind === 'comment' ? text(entry.data, 'body') || null : null
}

/** Whether an entry is the SLA's (shown as the system's, in the warning colours). */
export function isSlaEntry(entry: TimelineEntry): boolean {
  return entry.kind.startsWith('sla_')
}

// ---- form values ---------------------------------------------------------------------------

const moneyFormats = new Map<string, Intl.NumberFormat>()

/** "12500.50" as "¥12,500.50" (the server keeps amounts as decimal text, never as floats). */
export function formatMoney(amount: string, locale: string): string {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(amount.trim())
  if (!match) return amount
  let format = moneyFormats.get(locale)
  if (!format) {
    format = new Intl.NumberFormat(locale, { useGrouping: true })
    moneyFormats.set(locale, format)
  }
  // The whole part through BigInt, so thirteen digits lose nothing to floating point.
  const whole = format.format(BigInt(match[1]!))
  return `¥${whole}.${(match[2] ?? '').padEnd(2, '0')}`
}

/** A filled-in value as text (files are links, shown by the page itself). */
export function valueText(field: FieldSpec, value: unknown, locale: string): string {
  if (value === null || value === undefined || value === '') return ''
  switch (field.type) {
    case 'money':
      return formatMoney(String(value), locale)
    case 'number':
      return typeof value === 'number' ? value.toLocaleString(locale) : String(value)
    case 'person':
      return typeof value === 'number' ? displayName(value) : ''
    case 'department':
      return typeof value === 'number' ? departmentName(value) : ''
    default:
      return String(value)
  }
}

export function departmentName(id: number): string {
  return useDepartments().byId.value.get(id)?.name ?? translate('requests.unknownDepartment')
}
