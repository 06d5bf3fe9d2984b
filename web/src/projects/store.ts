/**
 * What the project pages share: whether the caller may create projects (the company's
 * `create_projects` setting, `GET /settings/permissions`). Loaded once per visit, on first
 * use; forgotten when the session ends. Today's date, which "overdue" counts in, is the
 * company's: `business_calendar/companyTime.ts`.
 */
import { readonly, ref } from 'vue'
import { onSessionEnd } from '../auth/session'
import { myPermissions } from './api'

// ---- may the caller create projects ------------------------------------------------------

const mayCreate = ref(false)
let permissionsPending: Promise<void> | null = null

/** Whether "新建项目" shows (the server checks again when it is used). */
export const canCreateProjects = readonly(mayCreate)

export function ensurePermissions(): Promise<void> {
  permissionsPending ??= myPermissions()
    .then((permissions) => {
      mayCreate.value = permissions.create_projects
    })
    .catch(() => {
      permissionsPending = null // the button stays hidden; the next visit asks again
    })
  return permissionsPending
}

onSessionEnd(() => {
  mayCreate.value = false
  permissionsPending = null
})
