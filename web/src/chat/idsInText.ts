/**
 * The ids a message's text names — `T-12`, a link to a task or a page — for the cards under it
 * (`projects/taskRefs.ts`, `documents/pageRefs.ts`).
 */

/** The ids `patterns` find in `text` (each a global pattern with the id as its first group),
 * each once, in the order the text names them, at most `max`. */
export function idsInText(text: string, patterns: readonly RegExp[], max: number): number[] {
  const found: { id: number; at: number }[] = []
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) found.push({ id: Number(match[1]), at: match.index ?? 0 })
  }
  found.sort((a, b) => a.at - b.at)
  const ids: number[] = []
  for (const { id } of found) {
    if (ids.length === max) break
    if (id > 0 && !ids.includes(id)) ids.push(id)
  }
  return ids
}
