/**
 * A disclosure (a button that shows and hides a menu or panel): it closes on Escape (focus
 * back on its button), on a click outside its root, and — given the route — on navigation.
 * `root` and `button` name the template refs (`ref="..."`) of its outermost element and its button.
 */
import { onBeforeUnmount, ref, useTemplateRef, watch, type Ref } from 'vue'
import type { RouteLocationNormalizedLoaded } from 'vue-router'

export interface Disclosure {
  open: Ref<boolean>
  close: (returnFocus?: boolean) => void
  toggle: () => void
}

export interface DisclosureParts {
  root: string
  button: string
  /** Close on navigation too. */
  route?: RouteLocationNormalizedLoaded
}

export function useDisclosure(parts: DisclosureParts): Disclosure {
  const open = ref(false)
  const root = useTemplateRef<HTMLElement>(parts.root)
  const button = useTemplateRef<HTMLButtonElement>(parts.button)

  function close(returnFocus = false): void {
    open.value = false
    if (returnFocus) button.value?.focus()
  }
  function onDocumentClick(event: MouseEvent): void {
    if (open.value && root.value && !root.value.contains(event.target as Node)) close()
  }
  function onDocumentKey(event: KeyboardEvent): void {
    if (open.value && event.key === 'Escape') close(true)
  }
  document.addEventListener('click', onDocumentClick)
  document.addEventListener('keydown', onDocumentKey)
  onBeforeUnmount(() => {
    document.removeEventListener('click', onDocumentClick)
    document.removeEventListener('keydown', onDocumentKey)
  })
  const route = parts.route
  if (route) watch(() => route.fullPath, () => close())

  return { open, close, toggle: () => { open.value = !open.value } }
}
