/**
 * What the project pages share: whether the caller may create projects (the company's
 * `create_projects` setting, `GET /settings/permissions`), and today's date in the company's
 * time zone, which is what "overdue" counts in (the server's `GET /tasks?due=overdue` does
 * too). Loaded once per visit, on first use; forgotten when the session ends.
 */
import { computed, readonly, ref, shallowRef } from 'vue'
import { onSessionEnd } from '../auth/session'
import { getCalendar } from '../business_calendar/api'
import { localDate } from '../requests/sla'
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

// ---- the company's days -----------------------------------------------------------------

const zone = shallowRef<string | undefined>(undefined)
let zonePending: Promise<void> | null = null

/** The company's time zone (undefined until known: the viewer's own zone meanwhile). */
export const companyZone = readonly(zone)

export function ensureCompanyZone(): Promise<void> {
  zonePending ??= getCalendar()
    .then((calendar) => {
      zone.value = calendar.time_zone
    })
    .catch(() => {
      zonePending = null
    })
  return zonePending
}

// A minute's tick is enough for a date to turn over at midnight.
const ticking = ref(Date.now())
window.setInterval(() => {
  ticking.value = Date.now()
}, 60_000)

/** Today as "YYYY-MM-DD" in the company's time zone. */
export const today = computed(() =>
  localDate(ticking.value, zone.value ?? Intl.DateTimeFormat().resolvedOptions().timeZone))

onSessionEnd(() => {
  mayCreate.value = false
  permissionsPending = null
})
