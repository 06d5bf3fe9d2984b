/**
 * The audit actions the server records (its `AuditAction`), each with its name for people.
 * The map is keyed by the generated type, so the compiler refuses it while an action the
 * server may record has no name here (after `make types`).
 */
import type { MessageKey } from '../i18n'
import type { AuditAction } from './api'

const NAMES: { [A in AuditAction]: MessageKey } = {
  'login.succeeded': 'admin.audit.actions.login_succeeded',
  'login.failed': 'admin.audit.actions.login_failed',
  'login.throttled': 'admin.audit.actions.login_throttled',
  logout: 'admin.audit.actions.logout',
  'password.changed': 'admin.audit.actions.password_changed',
  'password.reset': 'admin.audit.actions.password_reset',
  'password.generated': 'admin.audit.actions.password_generated',
  'user.created': 'admin.audit.actions.user_created',
  'users.imported': 'admin.audit.actions.users_imported',
  'user.updated': 'admin.audit.actions.user_updated',
  'user.role_changed': 'admin.audit.actions.user_role_changed',
  'user.deactivated': 'admin.audit.actions.user_deactivated',
  'user.reactivated': 'admin.audit.actions.user_reactivated',
  'user.departments_changed': 'admin.audit.actions.user_departments_changed',
  'token.created': 'admin.audit.actions.token_created',
  'token.revoked': 'admin.audit.actions.token_revoked',
  'department.created': 'admin.audit.actions.department_created',
  'department.updated': 'admin.audit.actions.department_updated',
  'department.deleted': 'admin.audit.actions.department_deleted',
  'department.members_set': 'admin.audit.actions.department_members_set',
  'guest.admitted': 'admin.audit.actions.guest_admitted',
  'company_settings.changed': 'admin.audit.actions.company_settings_changed',
  'calendar.changed': 'admin.audit.actions.calendar_changed',
  'calendar.day_set': 'admin.audit.actions.calendar_day_set',
  'calendar.day_cleared': 'admin.audit.actions.calendar_day_cleared',
  'request_type.created': 'admin.audit.actions.request_type_created',
  'request_type.updated': 'admin.audit.actions.request_type_updated',
  'approval_flow.created': 'admin.audit.actions.approval_flow_created',
  'approval_flow.updated': 'admin.audit.actions.approval_flow_updated',
  'project.created': 'admin.audit.actions.project_created',
  'project.updated': 'admin.audit.actions.project_updated',
  'project.members_changed': 'admin.audit.actions.project_members_changed',
  'project.statuses_changed': 'admin.audit.actions.project_statuses_changed',
  'space.created': 'admin.audit.actions.space_created',
  'space.updated': 'admin.audit.actions.space_updated',
  'space.permissions_changed': 'admin.audit.actions.space_permissions_changed',
  'page.permissions_changed': 'admin.audit.actions.page_permissions_changed',
  'page.classified': 'admin.audit.actions.page_classified',
  'page.viewed': 'admin.audit.actions.page_viewed',
  'page.exported': 'admin.audit.actions.page_exported',
  'page.export_refused': 'admin.audit.actions.page_export_refused',
  'space.exported': 'admin.audit.actions.space_exported',
}

/** Every action, in the order the filter lists them. */
export const AUDIT_ACTIONS = Object.keys(NAMES) as AuditAction[]

/** The message key naming `action`, or null for one this client does not know yet. */
export function actionNameKey(action: string): MessageKey | null {
  return (NAMES as Record<string, MessageKey | undefined>)[action] ?? null
}
