/** A project label's colour on screen: a light tint with dark text, readable (WCAG AA) alike. */
import type { Label, LabelColor } from './api'

const SWATCHES: { [C in LabelColor]: { background: string; color: string } } = {
  red: { background: '#fde2e1', color: '#a01d12' },
  orange: { background: '#fdead7', color: '#93370d' },
  yellow: { background: '#fef7c3', color: '#713b12' },
  green: { background: '#d3f8df', color: '#085d3a' },
  teal: { background: '#ccfbef', color: '#134e48' },
  blue: { background: '#d1e9ff', color: '#194185' },
  purple: { background: '#ebe9fe', color: '#4a1fb8' },
  grey: { background: '#eaecf0', color: '#344054' },
}

export function swatch(color: LabelColor): { background: string; color: string } {
  return SWATCHES[color]
}

/** A label's style by name within its project's set (grey when the set no longer has it). */
export function labelStyle(labels: readonly Label[], name: string): { background: string; color: string } {
  return SWATCHES[labels.find((label) => label.name === name)?.color ?? 'grey']
}
