/**
 * The browser's desktop notifications (the notification centre shows them for what asks for
 * attention while the tab is out of sight). The browser asks for permission only after a
 * click on an "enable notifications" button (never on page load).
 */
import { ref } from 'vue'
import { router } from '../app/router'

const supported = typeof window !== 'undefined' && 'Notification' in window
export const notificationPermission = ref<NotificationPermission | 'unsupported'>(
  supported ? Notification.permission : 'unsupported',
)

export async function askNotificationPermission(): Promise<void> {
  if (!supported) return
  notificationPermission.value = await Notification.requestPermission()
}

/**
 * Shows one when permitted; a click on it brings the tab forward at `path` and does
 * `onOpen`. One with the same `tag` replaces the earlier one rather than adding another.
 */
export function notify(title: string, body: string, path: string,
  options: { tag?: string; onOpen?: () => void } = {}): void {
  // Granted or revoked in the browser's settings since: follow it.
  if (supported) notificationPermission.value = Notification.permission
  if (notificationPermission.value !== 'granted') return
  const shown = new Notification(title, { body, tag: options.tag ?? path })
  shown.onclick = () => {
    window.focus()
    void router.push(path)
    options.onOpen?.()
    shown.close()
  }
}
