import type { Router } from 'vue-router'
import type { Notification } from './api'
import { markOneRead } from './store'

/** Opening a notification: it is read now, and the tab goes where it points. */
export async function openNotification(router: Router, notification: Notification): Promise<void> {
  // Marking fails quietly: going there matters more, and the count is fixed on the next load.
  void markOneRead(notification).catch(() => undefined)
  await router.push(notification.link)
}
