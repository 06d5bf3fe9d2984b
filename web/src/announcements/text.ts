/** How announcements' states look: the colour of each importance and status. */
import type { Tone } from '../ui/ToneBadge.vue'
import type { AnnouncementStatus, Importance } from './api'

const IMPORTANCE_TONES: { [I in Importance]: Tone } = { normal: 'idle', important: 'fresh', urgent: 'bad' }
const STATUS_TONES: { [S in AnnouncementStatus]: Tone } = {
  draft: 'idle',
  in_review: 'waiting',
  scheduled: 'info',
  published: 'ok',
}

export function importanceTone(importance: Importance): Tone {
  return IMPORTANCE_TONES[importance]
}

export function statusTone(status: AnnouncementStatus): Tone {
  return STATUS_TONES[status]
}

/** The day ("YYYY-MM-DD") and time ("HH:MM") of an instant on the company's clock. */
export function dayAndTime(iso: string, zone: string): { day: string; time: string } {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(iso))
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? ''
  return { day: `${part('year')}-${part('month')}-${part('day')}`, time: `${part('hour')}:${part('minute')}` }
}
