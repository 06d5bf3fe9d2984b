/**
 * How many approval tasks wait for my decision: the navigation's badge on 审批. Started by the
 * app shell with the tab's socket; every `approval.changed` (an approval of mine or one I
 * approve started, moved on, gained an approver …) counts again, as does a fresh connection.
 * A count is one indexed query, so recounting is simpler and surer than keeping score.
 */
import { readonly, ref } from 'vue'
import { onSessionEnd } from '../auth/session'
import { onEvent, onResync } from '../realtime/socket'
import { countTodo } from './api'

const todo = ref(0)
export const todoCount = readonly(todo)

let unsubscribers: (() => void)[] = []
let countTimer: number | undefined
let asked = 0

/** Counts again now (after a decision made here, or when the inbox reloads). */
export async function recount(): Promise<void> {
  window.clearTimeout(countTimer)
  const mine = ++asked
  try {
    const count = await countTodo()
    if (mine === asked) todo.value = count
  } catch {
    // The badge keeps its number; the next change or reconnection counts again.
  }
}

function recountSoon(): void {
  window.clearTimeout(countTimer)
  // A decision that moves a flow on emits once; a burst (a flow started with several tasks)
  // is counted once.
  countTimer = window.setTimeout(() => void recount(), 300)
}

/** Follows the socket from now on (the app shell calls it before `startSocket`); idempotent. */
export function startApprovals(): void {
  if (unsubscribers.length) return
  unsubscribers = [onEvent('approval.changed', recountSoon), onResync(() => void recount())]
}

onSessionEnd(() => {
  for (const unsubscribe of unsubscribers) unsubscribe()
  unsubscribers = []
  window.clearTimeout(countTimer)
  asked += 1
  todo.value = 0
})
