import { nextTick } from 'vue'

/** An editor's ordered items (a form's fields, a flow's steps): moving one, and where focus goes. */

/** Moves `items[index]` one place up (-1) or down (1), in place; its new index, or null at an end. */
export function moveItem<T>(items: T[], index: number, by: -1 | 1): number | null {
  const item = items[index]
  if (item === undefined || items[index + by] === undefined) return null
  items.splice(index, 1)
  items.splice(index + by, 0, item)
  return index + by
}

/**
 * Which of the moved item's buttons keeps the keyboard (`${idBase}-up` or `-down`): the one
 * just pressed, unless the item reached the end it moved to, where that button is disabled.
 */
export function buttonAfterMove(idBase: string, to: number, length: number, by: -1 | 1): string {
  const atEnd = by < 0 ? to === 0 : to === length - 1
  const pressed = by < 0 ? 'up' : 'down'
  const other = by < 0 ? 'down' : 'up'
  return `${idBase}-${atEnd ? other : pressed}`
}

/** Focus the element with this id once the DOM has caught up with the change. */
export async function focusById(elementId: string): Promise<void> {
  await nextTick()
  document.getElementById(elementId)?.focus()
}
