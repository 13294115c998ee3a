import { shallowRef } from 'vue'

export interface SpeedSample {
  /** Elapsed time of the job, ms. */
  t: number
  /** Tokens per second at that time. */
  v: number
}

/** Tokens/s over the job's life for the sparkline; halves its resolution instead of growing past `limit`. */
export function useSpeedSamples(limit = 240) {
  const samples = shallowRef<SpeedSample[]>([])

  function add(t: number, v: number) {
    const list = samples.value
    // A replay after reconnecting repeats old moments; they are already drawn.
    if (list.length && t <= list[list.length - 1].t) return
    const next = [...list, { t, v }]
    samples.value = next.length > limit ? next.filter((_, i) => i % 2 === 0 || i === next.length - 1) : next
  }

  const clear = () => (samples.value = [])

  return { samples, add, clear }
}
