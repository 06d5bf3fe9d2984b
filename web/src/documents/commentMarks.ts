/**
 * Where a page's comment threads sit in its text, without writing anything into the shared
 * document: a range comment keeps the Yjs relative positions of its two ends (computed here
 * with y-tiptap, base64 on the wire), which follow the text as anyone edits it; this editor
 * extension turns them into highlights (ProseMirror decorations, this tab's alone) and says
 * where each thread is now — or that its text is gone (orphaned: the two ends met).
 */
import { Extension } from '@tiptap/core'
import { Plugin, PluginKey, type EditorState } from '@tiptap/pm/state'
import { Decoration, DecorationSet, type EditorView } from '@tiptap/pm/view'
import { absolutePositionToRelativePosition, relativePositionToAbsolutePosition, ySyncPluginKey } from '@tiptap/y-tiptap'
import * as Y from 'yjs'
import type { CommentAnchor } from './api'

/** A thread as the highlights need it. */
export interface AnchoredThread {
  id: number
  start: string
  end: string
  resolved: boolean
}

/** Where a thread's text is now: null when it was deleted (orphaned). */
export type Spot = { from: number; to: number } | null

/** How long a quote the server keeps. */
const QUOTE_LENGTH = 1000

function toBase64(bytes: Uint8Array): string {
  let raw = ''
  for (const byte of bytes) raw += String.fromCharCode(byte)
  return btoa(raw)
}

function fromBase64(text: string): Uint8Array | null {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0))
  } catch {
    return null
  }
}

function sync(state: EditorState): { doc: Y.Doc; type: Y.XmlFragment; mapping: Parameters<typeof absolutePositionToRelativePosition>[2] } | null {
  const found = ySyncPluginKey.getState(state)
  if (!found?.binding) return null
  return { doc: found.binding.doc, type: found.binding.type, mapping: found.binding.mapping }
}

/** The anchor of the text between `from` and `to`, or null when it quotes no text. */
export function anchorOf(state: EditorState, from: number, to: number): CommentAnchor | null {
  const bound = sync(state)
  if (!bound || from >= to) return null
  const quote = state.doc.textBetween(from, to, ' ', ' ').replace(/\s+/g, ' ').trim().slice(0, QUOTE_LENGTH)
  if (!quote) return null
  const encode = (pos: number): string => toBase64(Y.encodeRelativePosition(absolutePositionToRelativePosition(pos, bound.type, bound.mapping)))
  return { quote, start: encode(from), end: encode(to) }
}

function spotOf(state: EditorState, thread: AnchoredThread): Spot {
  const bound = sync(state)
  const start = fromBase64(thread.start)
  const end = fromBase64(thread.end)
  if (!bound || !start || !end) return null
  try {
    const size = state.doc.content.size
    const from = relativePositionToAbsolutePosition(bound.doc, bound.type, Y.decodeRelativePosition(start), bound.mapping)
    const to = relativePositionToAbsolutePosition(bound.doc, bound.type, Y.decodeRelativePosition(end), bound.mapping)
    if (from === null || to === null || from >= to || to > size) return null
    return { from, to }
  } catch {
    return null // not a position of this document
  }
}

interface MarksState {
  threads: AnchoredThread[]
  active: number | null
  spots: Map<number, Spot>
  decorations: DecorationSet
}

const key = new PluginKey<MarksState>('commentMarks')

function measure(state: EditorState, threads: AnchoredThread[], active: number | null): MarksState {
  const spots = new Map<number, Spot>()
  const decorations: Decoration[] = []
  for (const thread of threads) {
    const spot = spotOf(state, thread)
    spots.set(thread.id, spot)
    if (spot && (!thread.resolved || thread.id === active)) {
      decorations.push(
        Decoration.inline(spot.from, spot.to, {
          class: thread.id === active ? 'comment-mark active' : 'comment-mark',
          'data-thread-id': String(thread.id),
        }),
      )
    }
  }
  return { threads, active, spots, decorations: DecorationSet.create(state.doc, decorations) }
}

export interface CommentMarksOptions {
  /** Where each thread is now, whenever that changes. */
  onSpots: (spots: Map<number, Spot>) => void
  /** A highlight was clicked: its thread. */
  onFocus: (threadId: number) => void
}

function sameSpots(a: Map<number, Spot>, b: Map<number, Spot>): boolean {
  if (a.size !== b.size) return false
  for (const [id, spot] of a) {
    const other = b.get(id)
    if (other === undefined || (spot === null) !== (other === null)) return false
    if (spot && other && (spot.from !== other.from || spot.to !== other.to)) return false
  }
  return true
}

export const CommentMarks = Extension.create<CommentMarksOptions>({
  name: 'commentMarks',

  addOptions() {
    return { onSpots: () => {}, onFocus: () => {} }
  },

  addProseMirrorPlugins() {
    const options = this.options
    return [
      new Plugin<MarksState>({
        key,
        state: {
          init: (_config, state) => measure(state, [], null),
          apply: (tr, value, _old, state) => {
            const asked = tr.getMeta(key) as { threads: AnchoredThread[]; active: number | null } | undefined
            if (asked) return measure(state, asked.threads, asked.active)
            // Every change may have moved the text (a remote one arrives as a replaced
            // document): the relative positions say where it is now.
            return tr.docChanged || tr.getMeta(ySyncPluginKey) ? measure(state, value.threads, value.active) : value
          },
        },
        props: {
          decorations: (state) => key.getState(state)?.decorations,
          handleClick: (view, pos) => {
            const marks = key.getState(view.state)
            if (!marks) return false
            let best: { id: number; size: number } | null = null
            for (const thread of marks.threads) {
              const spot = marks.spots.get(thread.id)
              if (!spot || pos < spot.from || pos > spot.to || (thread.resolved && thread.id !== marks.active)) continue
              const size = spot.to - spot.from
              if (!best || size < best.size) best = { id: thread.id, size }
            }
            if (best) options.onFocus(best.id)
            return false
          },
        },
        view: () => {
          let last = new Map<number, Spot>()
          return {
            update: (view: EditorView) => {
              const spots = key.getState(view.state)?.spots
              if (spots && !sameSpots(spots, last)) {
                last = spots
                options.onSpots(spots)
              }
            },
          }
        },
      }),
    ]
  },
})

/** Show these threads (and which one is focused) in the editor. */
export function showThreads(view: EditorView, threads: AnchoredThread[], active: number | null): void {
  view.dispatch(view.state.tr.setMeta(key, { threads, active }).setMeta('addToHistory', false))
}

/** Where the thread's text is now, if it is there. */
export function spotNow(view: EditorView, threadId: number): Spot {
  return key.getState(view.state)?.spots.get(threadId) ?? null
}
