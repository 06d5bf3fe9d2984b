/**
 * The hover card of a marked glossary term (`termMarks.ts`): one card for the whole app
 * (`TermCardPopover.vue`, mounted by the shell), opened by hovering a term (after a moment),
 * focusing it, or tapping or pressing Enter on it — those last two keep it open and, from the
 * keyboard, move into it; Escape closes it and gives focus back to the term. The marks live in
 * server-rendered HTML, so the card listens on the document rather than on each mark.
 *
 * Each term's card is fetched once for the tab's session (`GET /glossary/terms/{id}/card`)
 * and fetched again when the term changes.
 */
import { nextTick, ref, shallowReactive, shallowRef } from 'vue'
import { ApiError } from '../api/client'
import { onSessionEnd } from '../auth/session'
import { onEvent } from '../realtime/socket'
import { termCard, type TermCard } from './api'

export const CARD_ID = 'glossary-term-card'
const MARK = '.glossary-term'
const OPEN_DELAY = 250
const CLOSE_DELAY = 200

export interface OpenCard {
  anchor: HTMLElement
  termId: number
  /** Opened by a tap, a click or the keyboard: stays until dismissed. */
  pinned: boolean
}

/** A term's card, 'missing' when the term is gone or not the reader's, 'error' when it failed. */
export type CardState = TermCard | 'missing' | 'error'

export const openCard = shallowRef<OpenCard | null>(null)
/** Grows when the page scrolls or resizes: the card follows its term. */
export const layoutTick = ref(0)
const cards = shallowReactive(new Map<number, CardState>())
const loading = new Set<number>()
let openTimer: number | undefined
let closeTimer: number | undefined
let started = false
let focusCardWhenReady = false
// Focus given back to a term by Escape: that focus must not open its card again.
let returningFocus = false

export function cardOf(termId: number): CardState | undefined {
  return cards.get(termId)
}

export async function loadCard(termId: number): Promise<void> {
  if (loading.has(termId)) return
  loading.add(termId)
  try {
    cards.set(termId, await termCard(termId))
  } catch (e) {
    cards.set(termId, e instanceof ApiError && e.status === 404 ? 'missing' : 'error')
  } finally {
    loading.delete(termId)
  }
}

function cardElement(): HTMLElement | null {
  return document.getElementById(CARD_ID)
}

function markOf(target: EventTarget | null): HTMLElement | null {
  return target instanceof Element ? target.closest<HTMLElement>(MARK) : null
}

function inCard(target: EventTarget | null): boolean {
  return target instanceof Node && !!cardElement()?.contains(target)
}

/** Marks in an editor (`documents/glossaryTerms.ts`) are the editor's to draw: an attribute
 * changed on one would be taken for an edit of the page. */
function inEditor(mark: HTMLElement): boolean {
  return mark.closest('.ProseMirror') !== null
}

function setExpanded(anchor: HTMLElement, expanded: boolean): void {
  if (inEditor(anchor)) return
  anchor.setAttribute('aria-expanded', String(expanded))
  if (expanded) anchor.setAttribute('aria-controls', CARD_ID)
}

function show(anchor: HTMLElement, pinned: boolean): void {
  window.clearTimeout(openTimer)
  window.clearTimeout(closeTimer)
  const termId = Number(anchor.dataset.termId)
  if (!Number.isInteger(termId) || termId <= 0) return
  const current = openCard.value
  if (current && current.anchor !== anchor) setExpanded(current.anchor, false)
  setExpanded(anchor, true)
  openCard.value = { anchor, termId, pinned: pinned || (current?.anchor === anchor && current.pinned) }
  if (!cards.has(termId) || cards.get(termId) === 'error') void loadCard(termId)
}

/** Close the card; `returnFocus` gives focus back to its term (Escape). */
export function closeCard(returnFocus = false): void {
  window.clearTimeout(openTimer)
  window.clearTimeout(closeTimer)
  const current = openCard.value
  if (!current) return
  setExpanded(current.anchor, false)
  openCard.value = null
  if (returnFocus && current.anchor.isConnected) {
    returningFocus = true
    current.anchor.focus()
    returningFocus = false
  }
}

function closeSoon(): void {
  window.clearTimeout(openTimer)
  if (!openCard.value || openCard.value.pinned) return
  window.clearTimeout(closeTimer)
  closeTimer = window.setTimeout(() => closeCard(), CLOSE_DELAY)
}

/** Move focus into the open card (its first link or button) once it has rendered. */
export function focusCardSoon(): void {
  focusCardWhenReady = true
  void nextTick(() => takeFocusIfAsked())
}

/** Called by the card after it renders: focus its first control if the keyboard opened it. */
export function takeFocusIfAsked(): void {
  if (!focusCardWhenReady) return
  const target = cardElement()?.querySelector<HTMLElement>('a, button')
  if (target) {
    focusCardWhenReady = false
    target.focus()
  }
}

function onPointerOver(event: PointerEvent): void {
  if (event.pointerType === 'touch') return // a tap is a click
  const mark = markOf(event.target)
  if (mark) {
    window.clearTimeout(closeTimer)
    if (openCard.value?.anchor === mark) return
    window.clearTimeout(openTimer)
    openTimer = window.setTimeout(() => show(mark, false), openCard.value ? 0 : OPEN_DELAY)
  } else if (inCard(event.target)) {
    window.clearTimeout(closeTimer)
  }
}

function onPointerOut(event: PointerEvent): void {
  if (event.pointerType === 'touch') return
  const leaving = markOf(event.target) ?? (inCard(event.target) ? cardElement() : null)
  if (!leaving) return
  const to = event.relatedTarget
  if (to instanceof Node && (leaving.contains(to) || inCard(to) || openCard.value?.anchor.contains(to))) return
  if (markOf(event.target) && openCard.value?.anchor !== markOf(event.target)) window.clearTimeout(openTimer)
  closeSoon()
}

function onFocusIn(event: FocusEvent): void {
  if (returningFocus) return
  const mark = markOf(event.target)
  if (mark) show(mark, false)
  else if (inCard(event.target)) window.clearTimeout(closeTimer)
}

function onFocusOut(event: FocusEvent): void {
  if (!openCard.value) return
  const to = event.relatedTarget
  if (to instanceof Node && (inCard(to) || openCard.value.anchor.contains(to))) return
  if (markOf(event.target) || inCard(event.target)) {
    // Focus left the term and its card for somewhere else: the card goes, pinned or not.
    if (to !== null) closeCard()
  }
}

function onClick(event: MouseEvent): void {
  const mark = markOf(event.target)
  // A click on a term being edited puts the caret there (hovering shows its card).
  if (mark?.isContentEditable) return
  if (mark) {
    event.preventDefault()
    const current = openCard.value
    if (current?.anchor === mark && current.pinned) closeCard()
    else show(mark, true)
    return
  }
  if (openCard.value && !inCard(event.target)) closeCard()
}

function onKeyDown(event: KeyboardEvent): void {
  if (event.key === 'Escape' && openCard.value) {
    const focusWasOurs = markOf(document.activeElement) !== null || inCard(document.activeElement)
    closeCard(focusWasOurs)
    if (focusWasOurs) event.stopPropagation()
    return
  }
  const mark = markOf(event.target)
  if (mark && (event.key === 'Enter' || event.key === ' ')) {
    event.preventDefault()
    show(mark, true)
    focusCardSoon()
  }
}

function onLayout(): void {
  if (!openCard.value) return
  if (!openCard.value.anchor.isConnected) closeCard()
  else layoutTick.value += 1
}

/** Listen for marks anywhere in the app (once; the shell calls it). */
export function startTermCards(): void {
  if (started) return
  started = true
  document.addEventListener('pointerover', onPointerOver)
  document.addEventListener('pointerout', onPointerOut)
  document.addEventListener('focusin', onFocusIn)
  document.addEventListener('focusout', onFocusOut)
  document.addEventListener('click', onClick)
  document.addEventListener('keydown', onKeyDown)
  window.addEventListener('scroll', onLayout, { capture: true, passive: true })
  window.addEventListener('resize', onLayout, { passive: true })
}

let stopEvents: (() => void) | null = null
/** A changed or withdrawn term's card is fetched afresh the next time it opens. */
export function followTermChanges(): void {
  stopEvents ??= onEvent(['glossary.term_changed', 'glossary.term_withdrawn'], (event) => {
    const id = event.type === 'glossary.term_changed' ? event.data.term.id : event.data.term_id
    cards.delete(id)
    if (openCard.value?.termId === id) void loadCard(id)
  })
}

onSessionEnd(() => {
  closeCard()
  stopEvents?.()
  stopEvents = null
  cards.clear()
  loading.clear()
})
