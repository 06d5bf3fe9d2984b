/**
 * Glossary terms in a page, marked as chat marks them (`glossary/termMarks.ts`): the first
 * time a term appears in the page it is underlined and opens its hover card
 * (`glossary/cards.ts`). Recognition is the server's (`POST /glossary/recognise`, the reader's
 * own terms).
 *
 * The marks are ProseMirror decorations, never part of the shared document: they are the
 * reader's (a department-only term is not everyone's), and a mark in the Yjs document would be
 * an edit every replica makes. A moment after the page changes, the paragraphs whose text was
 * not asked about yet are sent together (a paragraph typed into is asked again, the others are
 * kept for the tab's session); a term changed anywhere asks the page afresh. Text in code, in
 * links, or split by an image or a line break is left alone.
 */
import { Extension } from '@tiptap/core'
import type { Node as PmNode } from '@tiptap/pm/model'
import { Plugin, PluginKey, type EditorState } from '@tiptap/pm/state'
import { Decoration, DecorationSet, type EditorView } from '@tiptap/pm/view'
import { codePointIndex, MAX_RECOGNISED_TEXT, recognise } from '../glossary/api'
import { onEvent } from '../realtime/socket'

const key = new PluginKey<DecorationSet>('glossaryTerms')
// After the last keystroke; the first look at a page comes at once.
const DELAY_MS = 700
// A long page is marked in its first this-many characters (a few calls, not fifty).
const MAX_MARKED = 5 * MAX_RECOGNISED_TEXT
const SEPARATOR = '\n'
// Paragraph texts remembered across pages of a tab, then forgotten all at once.
const MAX_REMEMBERED = 5000

interface Found {
  /** UTF-16 offsets in the paragraph's text. */
  start: number
  end: number
  termId: number
}

interface Block {
  text: string
  /** The document position of each UTF-16 unit of `text`; -1 where it is not plain text. */
  positions: number[]
}

// A paragraph's text → the terms in it (for this reader, as of the last glossary change).
const remembered = new Map<string, Found[]>()

function isPlain(node: PmNode): boolean {
  return node.isText && !node.marks.some((mark) => mark.type.spec.code || mark.type.name === 'link')
}

/** Each text block of the page with where its characters are (code blocks left out). */
function blocksOf(doc: PmNode): Block[] {
  const blocks: Block[] = []
  let total = 0
  doc.descendants((node, at) => {
    if (total > MAX_MARKED) return false
    if (!node.isTextblock) return true
    if (node.type.spec.code) return false
    let text = ''
    const positions: number[] = []
    node.forEach((child, offset) => {
      const start = at + 1 + offset
      const piece = child.isText ? (child.text ?? '') : ' '
      const plain = isPlain(child)
      // What is not plain text stays in as spaces, so no term is found across it.
      text += plain ? piece : ' '.repeat(piece.length)
      for (let i = 0; i < piece.length; i++) positions.push(plain ? start + i : -1)
    })
    total += text.length + SEPARATOR.length
    blocks.push({ text, positions })
    return false
  })
  return blocks
}

/** Ask the server about the paragraphs not asked about yet, in as few calls as fit. */
async function learn(blocks: Block[]): Promise<void> {
  const unknown = [...new Set(blocks.map((block) => block.text))]
    .filter((text) => !remembered.has(text) && text.length < MAX_RECOGNISED_TEXT)
  let batch: string[] = []
  let length = 0
  const send = async (): Promise<void> => {
    if (!batch.length) return
    const texts = batch
    batch = []
    length = 0
    const sent = texts.join(SEPARATOR)
    const at = codePointIndex(sent)
    const found = await recognise(sent)
    let start = 0
    for (const text of texts) {
      const end = start + text.length
      remembered.set(text, found
        .map((term) => ({ start: (at[term.start] ?? 0) - start, end: (at[term.end] ?? 0) - start, termId: term.term_id }))
        .filter((term) => term.start >= 0 && term.end <= text.length))
      start = end + SEPARATOR.length
    }
  }
  if (remembered.size + unknown.length > MAX_REMEMBERED) remembered.clear()
  for (const text of unknown) {
    if (!text.trim()) {
      remembered.set(text, [])
      continue
    }
    // Code points never exceed UTF-16 units: a batch under the limit in one is in the other.
    if (length + text.length + SEPARATOR.length > MAX_RECOGNISED_TEXT) await send()
    batch.push(text)
    length += text.length + SEPARATOR.length
  }
  await send()
}

/** Each term's first appearance in the page, from what is remembered. */
function decorate(state: EditorState): DecorationSet {
  const seen = new Set<number>()
  const marks: Decoration[] = []
  for (const block of blocksOf(state.doc)) {
    for (const term of remembered.get(block.text) ?? []) {
      if (seen.has(term.termId)) continue
      const from = block.positions[term.start] ?? -1
      const last = block.positions[term.end - 1] ?? -1
      // One run of plain text, not across something else.
      if (from < 0 || last - from !== term.end - 1 - term.start) continue
      if (block.positions.slice(term.start, term.end).includes(-1)) continue
      seen.add(term.termId)
      marks.push(Decoration.inline(from, last + 1, { class: 'glossary-term', 'data-term-id': String(term.termId) }))
    }
  }
  return DecorationSet.create(state.doc, marks)
}

class Marker {
  private timer: number | undefined
  private running = false
  private again = false
  private readonly stopEvents: () => void

  constructor(private readonly view: EditorView) {
    this.stopEvents = onEvent(['glossary.term_changed', 'glossary.term_withdrawn'], () => {
      remembered.clear()
      this.soon(0)
    })
    this.soon(0)
  }

  soon(delay = DELAY_MS): void {
    window.clearTimeout(this.timer)
    this.timer = window.setTimeout(() => void this.run(), delay)
  }

  private async run(): Promise<void> {
    if (this.running) {
      this.again = true
      return
    }
    this.running = true
    try {
      await learn(blocksOf(this.view.state.doc))
      // The page may have changed meanwhile: marked as it is now, from what is known.
      if (!this.view.isDestroyed) this.view.dispatch(this.view.state.tr.setMeta(key, decorate(this.view.state)))
    } catch {
      // Unmarked for now: the next change asks again.
    } finally {
      this.running = false
      if (this.again) {
        this.again = false
        this.soon()
      }
    }
  }

  destroy(): void {
    window.clearTimeout(this.timer)
    this.stopEvents()
  }
}

export const GlossaryTerms = Extension.create({
  name: 'glossaryTerms',
  addProseMirrorPlugins() {
    return [
      new Plugin<DecorationSet>({
        key,
        state: {
          init: () => DecorationSet.empty,
          apply: (tr, marks) => tr.getMeta(key) ?? marks.map(tr.mapping, tr.doc),
        },
        props: {
          decorations: (state) => key.getState(state),
        },
        view: (view) => {
          const marker = new Marker(view)
          return {
            update: (updated, previous) => {
              if (updated.state.doc !== previous.doc) marker.soon()
            },
            destroy: () => marker.destroy(),
          }
        },
      }),
    ]
  },
})
