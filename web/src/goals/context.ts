/** What the OKR page hands down its tree of objectives (each node opens the page's dialogs). */
import type { InjectionKey, Ref } from 'vue'
import type { KeyResult, Objective } from './api'

export interface OkrTree {
  /** Objectives whose aligned ones are folded away. */
  collapsed: Ref<Set<number>>
  /** Shown only because something under them is (the filter left them out). */
  context: Ref<Set<number>>
  /** The deep-linked objective (`?objective=`), marked. */
  highlighted: Ref<number | null>
  /** Changed live a moment ago. */
  fresh: Ref<Set<number>>
  toggle: (id: number) => void
  checkIn: (objective: Objective, keyResult: KeyResult) => void
  editObjective: (objective: Objective) => void
  editKeyResult: (objective: Objective, keyResult: KeyResult | null) => void
}

export const OKR_TREE: InjectionKey<OkrTree> = Symbol('okr-tree')
