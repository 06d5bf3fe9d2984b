/**
 * The browser's own notifications, for what arrives while the tab is in the background.
 * Permission is asked only when the person presses the button for it (browsers ignore, and
 * people dislike, a prompt nobody asked for).
 */
import { readonly, ref } from 'vue'
import { router } from '../app/router'
import type { Notification as AppNotification } from './api'
import { notificationTitle } from './text'

export type DesktopPermission = NotificationPermission | 'unsupported'

function current(): DesktopPermission {
  return 'Notification' in window ? Notification.permission : 'unsupported'
}

const permission = ref<DesktopPermission>(current())
export const desktopPermission = readonly(permission)

export async function enableDesktopNotifications(): Promise<void> {
  if (!('Notification' in window)) return
  permission.value = await Notification.requestPermission()
}

/** `onOpen`: what else a click on it does (besides showing the tab at its link). */
export function showDesktopNotification(notification: AppNotification, onOpen?: () => void): void {
  // A visible tab has the bell; the pop-up is for when it is out of sight.
  if (document.visibilityState === 'visible') return
  permission.value = current() // it may have been granted or revoked in the browser's settings
  if (permission.value !== 'granted') return
  const shown = new Notification(notificationTitle(notification), {
    body: notification.body,
    tag: `xietong-${notification.id}`,
  })
  shown.onclick = () => {
    window.focus()
    shown.close()
    onOpen?.()
    void router.push(notification.link)
  }
}
