/**
 * A request type's form in the browser: the value each field holds while it is filled in,
 * the checks the server makes (`requests/forms.py`), made here first so a mistake shows at its
 * field before anything is sent, and the server's own refusal (422, `details.field`) put back
 * at the field it names. The server's checks are the rule; these only mirror them.
 */
import { ApiError } from '../api/client'
import type { User } from '../api/types'
import { translate } from '../i18n'
import type { FieldSpec } from './api'

export interface Upload {
  key: number
  name: string
  /** Null while it uploads (or when it failed). */
  fileId: number | null
  progress: number
  error: unknown
  abort: (() => void) | null
}

export type DraftValue = string | number | User | Upload[] | null

// The server's limits (`forms.TEXT_LIMITS`, the money pattern, at most 20 files).
export const TEXT_LIMIT = { text: 500, long_text: 20_000 } as const
export const TITLE_LIMIT = 200
export const DESCRIPTION_LIMIT = 20_000
export const MAX_FILES = 20
const MONEY = /^\d{1,13}(\.\d{1,2})?$/
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/
// The bidirectional controls no text may carry (`core.text._BIDI_CONTROLS`).
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/

export function emptyValue(field: FieldSpec): DraftValue {
  switch (field.type) {
    case 'person':
    case 'department':
      return null
    case 'file':
      return []
    default:
      return ''
  }
}

function isUploads(value: DraftValue): value is Upload[] {
  return Array.isArray(value)
}

function isBlank(value: DraftValue): boolean {
  if (value === null) return true
  if (typeof value === 'string') return value.trim() === ''
  if (isUploads(value)) return value.length === 0
  return false
}

function validDate(text: string): boolean {
  if (!ISO_DATE.test(text)) return false
  const [year, month, day] = text.split('-').map(Number)
  const date = new Date(Date.UTC(year!, month! - 1, day!))
  return date.getUTCFullYear() === year && date.getUTCMonth() === month! - 1 && date.getUTCDate() === day
}

/** Why the value cannot be sent, in words for under the field; null when it can. */
export function checkValue(field: FieldSpec, value: DraftValue): string | null {
  if (isBlank(value)) {
    if (!field.required) return null
    const choose = field.type === 'select' || field.type === 'person' || field.type === 'department' || field.type === 'file'
    return translate(choose ? 'requests.form.errors.choose' : 'requests.form.errors.required', { label: field.label })
  }
  switch (field.type) {
    case 'text':
    case 'long_text': {
      const text = String(value).trim()
      if (text.length > TEXT_LIMIT[field.type]) return translate('requests.form.errors.tooLong', { max: TEXT_LIMIT[field.type] })
      return BIDI_CONTROLS.test(text) ? translate('requests.form.errors.bidi') : null
    }
    case 'number': {
      const number = Number(String(value).trim())
      return Number.isFinite(number) && Math.abs(number) <= 1e15 ? null : translate('requests.form.errors.number')
    }
    case 'money':
      return MONEY.test(String(value).trim()) ? null : translate('requests.form.errors.money')
    case 'date':
      return validDate(String(value)) ? null : translate('requests.form.errors.date')
    case 'select':
      return (field.options ?? []).includes(String(value)) ? null : translate('requests.form.errors.option')
    case 'file': {
      const uploads = value as Upload[]
      if (uploads.length > MAX_FILES) return translate('requests.form.errors.tooManyFiles', { max: MAX_FILES })
      return uploads.some((upload) => upload.fileId === null && !upload.error) ? translate('requests.form.errors.uploading') : null
    }
    default:
      return null
  }
}

/** What the server gets for the field; undefined leaves it out (an empty optional field). */
export function submittedValue(field: FieldSpec, value: DraftValue): unknown {
  if (isBlank(value)) return undefined
  switch (field.type) {
    case 'text':
    case 'long_text':
    case 'money':
      return String(value).trim()
    case 'number':
      return Number(String(value).trim())
    case 'person':
      return (value as User).id
    case 'file': {
      const ids = (value as Upload[]).flatMap((upload) => (upload.fileId === null ? [] : [upload.fileId]))
      return ids.length ? ids : undefined
    }
    default:
      return value
  }
}

/** "12500.5" as "12500.50": how an amount reads once typed (left as it is when it is not one). */
export function tidyMoney(text: string): string {
  const trimmed = text.trim().replace(/[,，\s]/g, '')
  if (!/^\d{1,13}(\.\d{0,2})?$/.test(trimmed)) return text
  const [whole, cents = ''] = trimmed.split('.')
  return `${whole}.${cents.padEnd(2, '0')}`
}

/**
 * Where a refusal of the whole request belongs: a field of the form (`details.field`, from
 * the server's form check), the title or the description (Pydantic's `loc`), with the words
 * for under it; null when it belongs to none.
 */
export function fieldOfError(error: unknown, fields: readonly FieldSpec[]): { key: string; message: string } | null {
  if (!(error instanceof ApiError) || error.status !== 422) return null
  const details = error.details
  if (typeof details === 'object' && details !== null && 'field' in details && typeof details.field === 'string') {
    const key = details.field
    const field = fields.find((f) => f.key === key)
    if (!field) return { key: '', message: translate('requests.form.errors.unknownField') }
    return { key, message: serverMessage(error.code, field) }
  }
  if (Array.isArray(details)) {
    for (const item of details as unknown[]) {
      if (typeof item !== 'object' || item === null || !('loc' in item) || !Array.isArray(item.loc)) continue
      const where = item.loc[1]
      // Pydantic's words are English and technical; the field is what matters.
      if (where === 'title' || where === 'description') return { key: where, message: translate('requests.form.errors.invalid') }
    }
  }
  return null
}

function serverMessage(code: string, field: FieldSpec): string {
  switch (code) {
    case 'required_field':
      return translate('requests.form.errors.required', { label: field.label })
    case 'unknown_reference':
      if (field.type === 'person') return translate('requests.form.errors.person')
      if (field.type === 'department') return translate('requests.form.errors.department')
      return translate('requests.form.errors.file')
    default:
      return fieldHint(field)
  }
}

/** What a field's value must look like, for a refusal the client did not foresee. */
function fieldHint(field: FieldSpec): string {
  switch (field.type) {
    case 'number':
      return translate('requests.form.errors.number')
    case 'money':
      return translate('requests.form.errors.money')
    case 'date':
      return translate('requests.form.errors.date')
    case 'select':
      return translate('requests.form.errors.option')
    default:
      return translate('requests.form.errors.invalid')
  }
}
