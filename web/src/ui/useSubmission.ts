import { ref, shallowRef, type Ref, type ShallowRef } from 'vue'

export interface Submission {
  /** A submission is under way (the button shows it; a second one waits its turn). */
  busy: Readonly<Ref<boolean>>
  /** What the last submission failed with, for `FormError`; null when it did not. */
  error: ShallowRef<unknown>
  /** Runs `work` unless one is under way; whether it succeeded. */
  run: (work: () => Promise<unknown>) => Promise<boolean>
}

/** The busy flag and the error of a form that submits, once for every dialog. */
export function useSubmission(): Submission {
  const busy = ref(false)
  const error = shallowRef<unknown>(null)
  async function run(work: () => Promise<unknown>): Promise<boolean> {
    if (busy.value) return false
    busy.value = true
    error.value = null
    try {
      await work()
      return true
    } catch (e) {
      error.value = e
      return false
    } finally {
      busy.value = false
    }
  }
  return { busy, error, run }
}
