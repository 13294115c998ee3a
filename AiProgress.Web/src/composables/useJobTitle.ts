import { getCurrentScope, onScopeDispose, toValue, watchEffect, type MaybeRefOrGetter } from 'vue'

export const appTitle = 'AiProgress'

/** What the tab says about a job, so a background tab shows how far it is: "42 % · AiProgress". */
export function jobTitle(state: string, progress: number): string {
  switch (state) {
    case 'queued':
      return `Queued · ${appTitle}`
    case 'processing':
      return `${Math.round(progress)} % · ${appTitle}`
    case 'completed':
      return `✓ Done · ${appTitle}`
    case 'failed':
      return `✗ Failed · ${appTitle}`
    case 'cancelled':
      return `Cancelled · ${appTitle}`
    default:
      return appTitle
  }
}

/** Keeps document.title on the job's live state while the caller's scope lives. */
export function useJobTitle(state: MaybeRefOrGetter<string>, progress: MaybeRefOrGetter<number>) {
  watchEffect(() => {
    document.title = jobTitle(toValue(state), toValue(progress))
  })
  if (getCurrentScope()) onScopeDispose(() => (document.title = appTitle))
}
