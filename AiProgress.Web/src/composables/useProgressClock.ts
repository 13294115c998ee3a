import { computed, getCurrentScope, onScopeDispose, shallowRef, watch } from 'vue'

export interface RemainingBand {
  low: number
  high: number
}

/**
 * Elapsed and remaining time as last reported by the server, moved on by a client timer while
 * `running()` so the display stays smooth between events (which come about twice a second).
 */
export function useProgressClock(running: () => boolean, interval = 100) {
  const reported = shallowRef({ elapsed: 0, remaining: null as number | null, band: null as RemainingBand | null, at: Date.now() })
  const now = shallowRef(Date.now())
  const since = computed(() => (running() ? Math.max(0, now.value - reported.value.at) : 0))

  const elapsed = computed(() => reported.value.elapsed + since.value)
  const estimatedRemaining = computed(() => {
    const { remaining } = reported.value
    return remaining == null ? null : Math.max(0, remaining - since.value)
  })

  /** The band around the remaining time (e.g. 10th to 90th percentile), counting down with it. */
  const remainingBand = computed<RemainingBand | null>(() => {
    const { band } = reported.value
    return band == null ? null : { low: Math.max(0, band.low - since.value), high: Math.max(0, band.high - since.value) }
  })

  function report(elapsedMs: number, remainingMs: number | null, band: RemainingBand | null = null) {
    const at = Date.now()
    reported.value = { elapsed: elapsedMs, remaining: remainingMs, band: remainingMs == null ? null : band, at }
    now.value = at
  }

  let timer: ReturnType<typeof setInterval> | undefined
  const stop = () => {
    clearInterval(timer)
    timer = undefined
  }
  watch(running, (isRunning) => {
    stop()
    if (isRunning) timer = setInterval(() => (now.value = Date.now()), interval)
  }, { immediate: true, flush: 'sync' })

  if (getCurrentScope()) onScopeDispose(stop)

  return { elapsed, estimatedRemaining, remainingBand, report, stop }
}
