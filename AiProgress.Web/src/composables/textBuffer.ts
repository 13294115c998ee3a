import type { TextData } from '../api/types'

export interface MergeResult {
  text: string
  /** The delta starts beyond the end of the text: something was missed. */
  gap: boolean
}

/**
 * The contract's merge rule (the server's TextMerge is the same; both are checked against
 * AiProgress.Jobs/Events/text-merge-cases.json): replays and duplicates change nothing, an overlap that
 * disagrees is won by the newer event, and a delta beyond the end is a gap the caller asks again about.
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
