/**
 * Desktop notifications for mentions and DMs. The browser asks for permission only
 * after a click on our "enable notifications" button (never on page load).
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

export function notify(title: string, body: string, path: string): void {
  if (!supported || Notification.permission !== 'granted') return
  const shown = new Notification(title, { body, tag: path })
  shown.onclick = () => {
    window.focus()
    void router.push(path)
    shown.close()
  }
}
