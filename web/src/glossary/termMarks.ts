/**
 * Glossary terms in rendered message bodies (and any other server-rendered, sanitised HTML):
 * each term found is wrapped in a focusable, subtly underlined `<span class="glossary-term">`
 * that opens its hover card (`cards.ts`, `TermCardPopover.vue`).
 *
 * Recognition is the server's (`POST /glossary/recognise`: the matcher, and who may read
 * which term, live there). A screen of messages asks once: every body asks for its marks as it
 * renders, the bodies are gathered for a moment and their texts sent together (joined by line
 * breaks, up to the server's 20,000 characters a call), and each answer is kept for the tab's
 * session by the HTML it marks. Chosen over marks in the message payload: the matches must be
 * of the text as shown (the rendered HTML's text, not the Markdown source), the reader's own
 * (department-only terms), and fresh when the glossary changes — a change of a term would
 * otherwise stale every stored message; here it asks the screen's bodies again.
 *
 * What is marked: text outside links, code and mentions (a term inside a link would nest one
 * control in another), within one text node (a term split by formatting is left alone), the
 * first time a term appears in a body (every occurrence underlined is noise).
 */
import { ref, shallowReactive } from 'vue'
import { onSessionEnd } from '../auth/session'
import { lastClosedAt, onEvent, onResync } from '../realtime/socket'
import { codePointIndex, MAX_RECOGNISED_TEXT, recognise, type RecognisedTerm } from './api'

/** What no term's name contains, between two text nodes and two bodies. */
const SEPARATOR = '\n'
const SKIPPED = 'a, code, pre, [data-mention], .mention, .glossary-term'

interface Marked {
  html: string
  generation: number
}

// html → its marked form, as of a generation of the glossary.
const known = shallowReactive(new Map<string, Marked>())
const wanted = new Set<string>()
const asking = new Set<string>()
// Grows when the glossary changed (or the socket could not resume): what is shown is asked
// again, and shown as it was until the new answer comes.
const generation = ref(0)
let timer: number | undefined
let session = 0
let unsubscribers: (() => void)[] = []

/** The text nodes of a body that may hold terms, in document order. */
function textNodes(root: Node): Text[] {
  const found: Text[] = []
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) =>
      node.parentElement?.closest(SKIPPED) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  })
  for (let node = walker.nextNode(); node; node = walker.nextNode()) found.push(node as Text)
  return found
}

function parse(html: string): HTMLTemplateElement {
  const template = document.createElement('template')
  template.innerHTML = html
  return template
}

interface Piece {
  html: string
  nodes: Text[]
  template: HTMLTemplateElement
  /** Where each text node starts in the batch text (UTF-16). */
  starts: number[]
}

/** `html` with the terms found in it wrapped; matches are in UTF-16 offsets of the batch. */
function wrap(piece: Piece, matches: { start: number; end: number; term: RecognisedTerm }[]): string {
  const seen = new Set<number>()
  // Each node's matches, last first, so splitting a node keeps the earlier offsets right.
  const byNode = new Map<number, { start: number; end: number; term: RecognisedTerm }[]>()
  for (const match of matches) {
    if (seen.has(match.term.term_id)) continue
    const node = piece.starts.findIndex(
      (start, i) => match.start >= start && match.end <= start + (piece.nodes[i]?.data.length ?? 0),
    )
    if (node < 0) continue // across two text nodes: left alone
    seen.add(match.term.term_id)
    const list = byNode.get(node) ?? []
    list.push(match)
    byNode.set(node, list)
  }
  if (!byNode.size) return piece.html
  for (const [index, list] of byNode) {
    const node = piece.nodes[index]
    const offset = piece.starts[index] ?? 0
    if (!node) continue
    for (const match of list.sort((a, b) => b.start - a.start)) {
      const inner = node.splitText(match.start - offset)
      inner.splitText(match.end - match.start)
      const span = document.createElement('span')
      span.className = 'glossary-term'
      span.tabIndex = 0
      span.setAttribute('role', 'button')
      span.setAttribute('aria-haspopup', 'dialog')
      span.setAttribute('aria-expanded', 'false')
      span.dataset.termId = String(match.term.term_id)
      inner.replaceWith(span)
      span.append(inner)
    }
  }
  return piece.template.innerHTML
}

/** The body's HTML with its terms marked, once the server answered; until then as it is. */
export function markedHtml(html: string): string {
  follow()
  const current = generation.value
  const entry = known.get(html)
  if ((!entry || entry.generation < current) && !asking.has(html) && html) {
    wanted.add(html)
    askSoon()
  }
  return entry?.html ?? html
}

function askSoon(): void {
  window.clearTimeout(timer)
  // Every message of a page renders in one go: one request for all their bodies.
  timer = window.setTimeout(() => void askNow(), 40)
}

async function askNow(): Promise<void> {
  const mine = session
  const asked = generation.value
  const htmls = [...wanted]
  wanted.clear()
  let batch: Piece[] = []
  let text = ''
  const send = async (): Promise<void> => {
    if (!batch.length) return
    const pieces = batch
    const sent = text
    batch = []
    text = ''
    for (const piece of pieces) asking.add(piece.html)
    try {
      const found = await recognise(sent)
      if (mine !== session) return
      const at = codePointIndex(sent)
      const matches = found.map((term) => ({ start: at[term.start] ?? 0, end: at[term.end] ?? 0, term }))
      for (const piece of pieces) {
        const first = piece.starts[0] ?? 0
        const last = (piece.starts[piece.starts.length - 1] ?? 0) + (piece.nodes[piece.nodes.length - 1]?.data.length ?? 0)
        known.set(piece.html, { html: wrap(piece, matches.filter((m) => m.start >= first && m.end <= last)), generation: asked })
      }
    } catch {
      // Not known: the bodies stay as they are; the next render or reconnection asks again.
    } finally {
      for (const piece of pieces) asking.delete(piece.html)
    }
  }
  for (const html of htmls) {
    const template = parse(html)
    const nodes = textNodes(template.content)
    const texts = nodes.map((node) => node.data)
    const length = texts.reduce((sum, t) => sum + t.length + SEPARATOR.length, 0)
    if (!texts.some((t) => t.trim())) {
      known.set(html, { html, generation: asked })
      continue
    }
    // Code points never exceed UTF-16 units, so this keeps a call under the server's limit.
    if (text.length + length > MAX_RECOGNISED_TEXT) await send()
    if (length > MAX_RECOGNISED_TEXT) {
      known.set(html, { html, generation: asked })
      continue
    }
    const starts: number[] = []
    for (const piece of texts) {
      starts.push(text.length)
      text += piece + SEPARATOR
    }
    batch.push({ html, nodes, template, starts })
  }
  await send()
}

function follow(): void {
  if (unsubscribers.length) return
  const again = (): void => {
    generation.value += 1
  }
  // The connection drop already accounted for: a fresh connection after a later one may
  // have missed changes (the tab's first connection has not: its answers are newer).
  let heardAfter = lastClosedAt()
  unsubscribers = [
    // A term added, renamed, deprecated, narrowed or deleted: the screen's bodies are asked
    // again (shown as they were meanwhile).
    onEvent(['glossary.term_changed', 'glossary.term_withdrawn'], again),
    onResync(() => {
      if (lastClosedAt() > heardAfter) again()
      heardAfter = lastClosedAt()
    }),
  ]
}

onSessionEnd(() => {
  for (const unsubscribe of unsubscribers) unsubscribe()
  unsubscribers = []
  window.clearTimeout(timer)
  session += 1
  known.clear()
  wanted.clear()
  asking.clear()
})
