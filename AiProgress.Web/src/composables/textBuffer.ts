import type { TextData } from '../api/types'

export interface MergeResult {
  text: string
  /** The delta starts beyond the end of the text: something was missed. */
  gap: boolean
}

/**
 * Places a `text` event at its offset, so replays and duplicates (a resume, a snapshot after
 * reopening) change nothing. Where the overlap disagrees with what is here, the server's text wins:
 * that only happens when a restart's reset was missed.
 */
export function mergeText(current: string, event: TextData): MergeResult {
  const base = event.reset ? '' : current
  const { offset, delta } = event
  if (offset > base.length) return { text: base, gap: true }
  const overlap = Math.min(base.length - offset, delta.length)
  if (base.slice(offset, offset + overlap) !== delta.slice(0, overlap)) {
    return { text: base.slice(0, offset) + delta, gap: false }
  }
  return { text: base + delta.slice(overlap), gap: false }
}
