/**
 * A request type being defined in the browser: the editor's draft (a field's key follows its
 * label until someone edits it), the checks the server makes (`requests/schemas.py`), made
 * here first so a mistake shows at its setting, and the server's own refusal put back at the
 * setting it names. The server's checks are the rule; these only mirror them.
 */
import { ApiError } from '../api/client'
import { translate } from '../i18n'
import type { Assignment, FieldSpec, FieldType, RequestType, RequestTypeDraft, RequestTypePatch } from './api'

// Every field type and rule once, in the order they are offered: the compiler refuses these
// while the server has one the client does not know.
const everyFieldType: { [F in FieldType]: F } = {
  text: 'text',
  long_text: 'long_text',
  number: 'number',
  money: 'money',
  date: 'date',
  select: 'select',
  person: 'person',
  department: 'department',
  file: 'file',
}
export const FIELD_TYPES: readonly FieldType[] = Object.values(everyFieldType)
const everyAssignment: { [A in Assignment]: A } = {
  manager: 'manager',
  round_robin: 'round_robin',
  least_loaded: 'least_loaded',
}
export const ASSIGNMENTS: readonly Assignment[] = Object.values(everyAssignment)

// The server's limits.
export const NAME_LIMIT = 64
export const LABEL_LIMIT = 64
export const MAX_FIELDS = 30
export const MAX_OPTIONS = 50
export const MAX_SLA_HOURS = 2000
const KEY = /^[a-z][a-z0-9_]{0,31}$/
const KEY_LENGTH = 32

export interface FieldDraft {
  /** Stable across reordering: what the editor's ids and errors hang on. */
  uid: number
  key: string
  /** Someone typed the key: it no longer follows the label. */
  keyEdited: boolean
  /** The field is saved: filed requests hold their values under its key, which stays. */
  saved: boolean
  label: string
  type: FieldType
  required: boolean
  /** A select's options, one a line. */
  options: string
}

export interface TypeDraft {
  name: string
  departmentId: number | null
  description: string
  fields: FieldDraft[]
  /** Working hours, as typed. */
  response: string
  resolution: string
  assignment: Assignment
  flowId: number | null
  /** The SLA warning, as a percentage of each clock. */
  warnPercent: string
  escalateAfter: string
}

/** What the editor shows of a refusal: messages by setting (`name`, `field-3-label`, …). */
export type Problems = Record<string, string>

let lastUid = 0

export function fieldDraft(spec?: FieldSpec): FieldDraft {
  return {
    uid: ++lastUid,
    key: spec?.key ?? '',
    keyEdited: spec !== undefined,
    saved: spec !== undefined,
    label: spec?.label ?? '',
    type: spec?.type ?? 'text',
    required: spec?.required ?? false,
    options: (spec?.options ?? []).join('\n'),
  }
}

function hoursText(hours: number): string {
  return String(hours)
}

export function draftOf(type: RequestType | null, departmentId: number | null): TypeDraft {
  return {
    name: type?.name ?? '',
    departmentId: type?.department_id ?? departmentId,
    description: type?.description ?? '',
    fields: (type?.fields ?? []).map((spec) => fieldDraft(spec)),
    response: type ? hoursText(type.response_sla_hours) : '4',
    resolution: type ? hoursText(type.resolution_sla_hours) : '16',
    assignment: type?.assignment ?? 'manager',
    flowId: type?.approval_flow_id ?? null,
    warnPercent: String(Math.round((type?.warn_at_share ?? 0.8) * 100)),
    escalateAfter: hoursText(type?.escalate_after_hours ?? 4),
  }
}

// A key for a label in Chinese (the usual case) comes from what the field holds.
const KEY_OF_TYPE: { [F in FieldType]: string } = {
  text: 'text',
  long_text: 'details',
  number: 'number',
  money: 'amount',
  date: 'date',
  select: 'choice',
  person: 'person',
  department: 'department',
  file: 'files',
}

/** A key for a field: its label in lower case with underscores when it is in Latin letters
 * ("Due date" → due_date), else its type's word (金额 → amount), numbered past those taken. */
export function suggestedKey(label: string, type: FieldType, taken: ReadonlySet<string>): string {
  const latin = label
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+/, '')
    .slice(0, KEY_LENGTH - 3)
    .replace(/_+$/, '')
  const base = latin || KEY_OF_TYPE[type]
  let key = base
  for (let n = 2; taken.has(key); n++) key = `${base}_${n}`
  return key
}

/** Gives every field whose key still follows its label the key its label (or type) suggests. */
export function followLabels(fields: FieldDraft[]): void {
  const taken = new Set(fields.filter((field) => field.keyEdited).map((field) => field.key))
  for (const field of fields) {
    if (field.keyEdited) continue
    field.key = suggestedKey(field.label, field.type, taken)
    taken.add(field.key)
  }
}

export function optionsOf(field: FieldDraft): string[] {
  return field.options
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
}

function specOf(field: FieldDraft): FieldSpec {
  const spec: FieldSpec = { key: field.key.trim(), label: field.label.trim(), type: field.type, required: field.required }
  if (field.type === 'select') spec.options = optionsOf(field)
  return spec
}

/** Working hours as typed, when they are a number the server takes; null when not. */
function hours(text: string): number | null {
  const value = Number(text.trim())
  return text.trim() !== '' && Number.isFinite(value) && value > 0 && value <= MAX_SLA_HOURS ? value : null
}

export const fieldKey = (uid: number, part: 'label' | 'key' | 'options'): string => `field-${uid}-${part}`

/** Why the draft cannot be sent, by setting; empty when it can. */
export function checkDraft(draft: TypeDraft): Problems {
  const found: Problems = {}
  const name = draft.name.trim()
  if (!name) found.name = translate('workflowAdmin.types.errors.name')
  else if (name.length > NAME_LIMIT) found.name = translate('workflowAdmin.errors.tooLong', { max: NAME_LIMIT })
  if (draft.departmentId === null) found.department_id = translate('workflowAdmin.types.errors.department')
  const response = hours(draft.response)
  const resolution = hours(draft.resolution)
  if (response === null) found.response_sla_hours = translate('workflowAdmin.types.errors.hours', { max: MAX_SLA_HOURS })
  if (resolution === null) found.resolution_sla_hours = translate('workflowAdmin.types.errors.hours', { max: MAX_SLA_HOURS })
  else if (response !== null && resolution < response) found.resolution_sla_hours = translate('workflowAdmin.types.errors.slaOrder')
  const warn = Number(draft.warnPercent.trim())
  if (!Number.isInteger(warn) || warn < 1 || warn > 99) found.warn_at_share = translate('workflowAdmin.types.errors.warn')
  if (hours(draft.escalateAfter) === null) found.escalate_after_hours = translate('workflowAdmin.types.errors.hours', { max: MAX_SLA_HOURS })

  const keys = new Map<string, number>()
  for (const field of draft.fields) keys.set(field.key.trim(), (keys.get(field.key.trim()) ?? 0) + 1)
  for (const field of draft.fields) {
    const label = field.label.trim()
    if (!label) found[fieldKey(field.uid, 'label')] = translate('workflowAdmin.types.errors.label')
    else if (label.length > LABEL_LIMIT) found[fieldKey(field.uid, 'label')] = translate('workflowAdmin.errors.tooLong', { max: LABEL_LIMIT })
    const key = field.key.trim()
    if (!KEY.test(key)) found[fieldKey(field.uid, 'key')] = translate('workflowAdmin.types.errors.key')
    else if ((keys.get(key) ?? 0) > 1) found[fieldKey(field.uid, 'key')] = translate('workflowAdmin.types.errors.keyTaken')
    if (field.type !== 'select') continue
    const options = optionsOf(field)
    if (options.length === 0) found[fieldKey(field.uid, 'options')] = translate('workflowAdmin.types.errors.noOptions')
    else if (options.length > MAX_OPTIONS) found[fieldKey(field.uid, 'options')] = translate('workflowAdmin.types.errors.tooManyOptions', { max: MAX_OPTIONS })
    else if (new Set(options).size !== options.length) found[fieldKey(field.uid, 'options')] = translate('workflowAdmin.types.errors.sameOption')
    else if (options.some((option) => option.length > LABEL_LIMIT)) {
      found[fieldKey(field.uid, 'options')] = translate('workflowAdmin.types.errors.longOption', { max: LABEL_LIMIT })
    }
  }
  return found
}

function settingsOf(draft: TypeDraft) {
  return {
    name: draft.name.trim(),
    description: draft.description.trim(),
    fields: draft.fields.map(specOf),
    response_sla_hours: Number(draft.response.trim()),
    resolution_sla_hours: Number(draft.resolution.trim()),
    assignment: draft.assignment,
    warn_at_share: Number(draft.warnPercent.trim()) / 100,
    escalate_after_hours: Number(draft.escalateAfter.trim()),
    approval_flow_id: draft.flowId,
  }
}

/** A new type's body (the draft has passed `checkDraft`). */
export function createBody(draft: TypeDraft): RequestTypeDraft {
  return { ...settingsOf(draft), department_id: draft.departmentId ?? 0 }
}

/** A type's every setting as the editor holds it: what did not change changes nothing. */
export function updateBody(draft: TypeDraft): RequestTypePatch {
  return settingsOf(draft)
}

// Settings of the body whose refusal shows at their own control.
const SETTINGS = new Set([
  'name',
  'department_id',
  'response_sla_hours',
  'resolution_sla_hours',
  'warn_at_share',
  'escalate_after_hours',
  'approval_flow_id',
])
const FIELD_PARTS = new Set(['label', 'key', 'options'])

/**
 * Where the server's refusal belongs, with the words for it; null when it belongs to no one
 * setting (the form's error shows it). Domain refusals name theirs (`details.field`, already
 * in the UI language); a 422 of the body's shape names it in `loc`, in the server's English.
 */
export function placeRefusal(error: unknown, draft: TypeDraft): Problems | null {
  if (!(error instanceof ApiError) || (error.status !== 422 && error.status !== 409)) return null
  const details = error.details
  if (typeof details === 'object' && details !== null && 'field' in details && typeof details.field === 'string') {
    return SETTINGS.has(details.field) ? { [details.field]: error.message } : null
  }
  if (!Array.isArray(details)) return null
  const found: Problems = {}
  for (const item of details as unknown[]) {
    if (typeof item !== 'object' || item === null || !('loc' in item) || !Array.isArray(item.loc)) continue
    const [, where, index, part] = item.loc as unknown[]
    const message = 'msg' in item ? String(item.msg) : ''
    if (typeof where === 'string' && SETTINGS.has(where)) {
      found[where] =
        where === 'resolution_sla_hours' && message.includes('shorter')
          ? translate('workflowAdmin.types.errors.slaOrder')
          : translate('workflowAdmin.errors.invalid')
    } else if (where === 'fields' && typeof index === 'number') {
      const field = draft.fields[index]
      if (!field) continue
      // A rule of the whole field (a select without options) is its options' when it has them.
      const at = typeof part === 'string' && FIELD_PARTS.has(part) ? part : field.type === 'select' ? 'options' : 'label'
      found[fieldKey(field.uid, at as 'label' | 'key' | 'options')] = translate('workflowAdmin.errors.invalid')
    } else {
      return null
    }
  }
  return Object.keys(found).length ? found : null
}
