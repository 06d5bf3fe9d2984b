/** How the project pages word and colour what the API answers in codes. */
import { translate } from '../i18n'
import type { Tone } from '../ui/ToneBadge.vue'
import type { Category, Priority, TaskEntry, Visibility } from './api'

export function priorityLabel(priority: Priority): string {
  return translate(`projects.priorities.${priority}`)
}

export const PRIORITY_TONES: Record<Priority, Tone> = {
  urgent: 'bad',
  high: 'fresh',
  normal: 'idle',
  low: 'idle',
}

export function visibilityLabel(visibility: Visibility): string {
  return translate(`projects.visibility.${visibility}`)
}

export const CATEGORY_TONES: Record<Category, Tone> = {
  todo: 'idle',
  doing: 'info',
  done: 'ok',
  cancelled: 'idle',
}

/** Whether a task is past its due date (today in the company's days) and not finished. */
export function isOverdue(task: { due_at: string | null; category: Category }, today: string): boolean {
  return task.due_at !== null && task.due_at < today && task.category !== 'done' && task.category !== 'cancelled'
}

/** A day ("2026-12-11") short, as a card has room for: "12月11日" / "Dec 11", with the year when not this year's. */
export function shortDay(day: string, locale: string, today: string): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number]
  const sameYear = day.slice(0, 4) === today.slice(0, 4)
  return new Intl.DateTimeFormat(locale, {
    ...(sameYear ? {} : { year: 'numeric' }),
    month: 'short',
    day: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(year, month - 1, date)))
}

// ---- a task's history ---------------------------------------------------------------------------

const FIELDS = ['title', 'description', 'assignee_id', 'start_at', 'due_at', 'priority', 'estimate_hours', 'labels', 'collaborator_ids'] as const
type Field = (typeof FIELDS)[number]

function isField(name: string): name is Field {
  return (FIELDS as readonly string[]).includes(name)
}

function fieldLabel(name: string): string {
  return isField(name) ? translate(`projects.fields.${name}`) : name
}

export interface HistoryContext {
  statusName: (statusId: number) => string
  personName: (userId: number) => string
  locale: string
  today: string
}

/** What an entry did, after whoever did it ("把任务从“待处理”移到“进行中”"). */
export function entrySentence(entry: TaskEntry, context: HistoryContext): string {
  const data = entry.data
  switch (entry.kind) {
    case 'created':
      return translate('projects.history.created')
    case 'updated': {
      const names = Object.keys(changesOf(entry)).map(fieldLabel)
      return translate('projects.history.updated', { fields: names.join(translate('common.listSeparator')) })
    }
    case 'moved': {
      const from = Number(data.from)
      const to = Number(data.to)
      return from === to
        ? translate('projects.history.reordered', { to: context.statusName(to) })
        : translate('projects.history.moved', { from: context.statusName(from), to: context.statusName(to) })
    }
    case 'due_tomorrow':
    case 'overdue':
    case 'overdue_manager':
      return translate(`projects.history.${entry.kind}`)
    case 'dependency_added':
    case 'dependency_removed':
      return translate(`projects.history.${entry.kind}`, { number: `T-${String(data.depends_on_id)}` })
    case 'watch':
      return translate(data.watching ? 'projects.history.watched' : 'projects.history.unwatched')
    case 'checklist': {
      const actions = ['added', 'checked', 'unchecked', 'renamed', 'removed', 'set', 'changed'] as const
      const action = actions.find((known) => known === data.action) ?? 'changed'
      return translate(`projects.history.checklist.${action}`, { text: typeof data.text === 'string' ? data.text : '' })
    }
    case 'attachment_added':
    case 'attachment_removed':
      return translate(`projects.history.${entry.kind}`)
    default:
      return translate('projects.history.other')
  }
}

/** An `updated` entry's changes, field by field: [before, after]. */
export function changesOf(entry: TaskEntry): Record<string, [unknown, unknown]> {
  const changes = entry.data.changes
  if (entry.kind !== 'updated' || typeof changes !== 'object' || changes === null) return {}
  const out: Record<string, [unknown, unknown]> = {}
  for (const [name, pair] of Object.entries(changes)) {
    if (Array.isArray(pair) && pair.length === 2) out[name] = [pair[0], pair[1]]
  }
  return out
}

/** A changed field's value as a person reads it (a name, a day, a priority's word). */
export function valueText(field: string, value: unknown, context: HistoryContext): string {
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && !value.length)) {
    return translate('projects.task.none')
  }
  switch (field) {
    case 'assignee_id':
      return context.personName(Number(value))
    case 'start_at':
    case 'due_at':
      return shortDay(String(value), context.locale, context.today)
    case 'priority':
      return isPriority(value) ? priorityLabel(value) : String(value)
    case 'estimate_hours':
      return translate('projects.task.hours', { n: Number(value) })
    case 'labels':
      return Array.isArray(value) ? value.map(String).join(translate('common.listSeparator')) : String(value)
    case 'collaborator_ids':
      return Array.isArray(value)
        ? value.map((id) => context.personName(Number(id))).join(translate('common.listSeparator'))
        : String(value)
    case 'description':
      return String(value).length > 40 ? `${String(value).slice(0, 40)}…` : String(value)
    default:
      return String(value)
  }
}

/** The lines under an `updated` entry ("截止日期：12月1日 → 12月5日"). */
export function changeLines(entry: TaskEntry, context: HistoryContext): string[] {
  return Object.entries(changesOf(entry)).map(([field, [before, after]]) =>
    translate('projects.history.change', {
      field: fieldLabel(field),
      before: valueText(field, before, context),
      after: valueText(field, after, context),
    }))
}

function isPriority(value: unknown): value is Priority {
  return value === 'urgent' || value === 'high' || value === 'normal' || value === 'low'
}
