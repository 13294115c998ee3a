import { shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue'
import { ApiError, getJob, progressUrl } from '../api/client'
import { terminalEventOf } from '../api/snapshot'
import { isTerminal, type CompletionData, type ErrorData, type JobSnapshot, type JobStatus, type ProgressData, type TextData } from '../api/types'
import { mergeText } from './textBuffer'
import { useEventStream } from './useEventStream'
import { useJobPhase } from './useJobPhase'
import { useProgressClock } from './useProgressClock'
import { useSpeedSamples } from './useSpeedSamples'

export interface UseGenerationProgressOptions {
  /** Connect at once (default true); otherwise call `start()`. */
  immediate?: boolean
  /** Tick of the client clock that keeps elapsed/remaining moving between events, ms. */
  clockInterval?: number
  retryDelays?: readonly number[]
  onComplete?: (data: CompletionData) => void
  /** The job failed or was cancelled (message `cancelled`), or does not exist. */
  onError?: (message: string) => void
  /** The REST snapshot, asked when the browser gives up on the stream. */
  fetchSnapshot?: (jobId: string) => Promise<JobSnapshot>
  /** Every stream event once applied (telemetry measures from here to the render). */
  onEvent?: (type: string, payload: Record<string, unknown>) => void
}

const streamEvents = ['progress', 'text', 'complete', 'error', 'timeout'] as const

export function useGenerationProgress(jobId: MaybeRefOrGetter<string | null | undefined>, options: UseGenerationProgressOptions = {}) {
  const { immediate = true, fetchSnapshot = getJob } = options

  const status = shallowRef<JobStatus | null>(null)
  const progress = shallowRef(0)
  const currentTokens = shallowRef(0)
  const tokensPerSecond = shallowRef(0)
  const queuePosition = shallowRef<number | null>(null)
  const attempt = shallowRef(1)
  const text = shallowRef('')
  const completion = shallowRef<CompletionData | null>(null)
  const errorMessage = shallowRef<string | null>(null)
  const isTracking = shallowRef(false)
  const speed = useSpeedSamples()
  const jobPhase = useJobPhase()
  const clock = useProgressClock(() => isTracking.value && status.value === 'processing', options.clockInterval)

  const stream = useEventStream(() => {
    const id = toValue(jobId)
    return id ? progressUrl(id) : null
  }, { events: streamEvents, retryDelays: options.retryDelays, onEvent: dispatch, shouldReopen: probeJob })

  function dispatch(type: string, data: string) {
    if (isTerminal(status.value)) return
    let payload: unknown
    try {
      payload = JSON.parse(data)
    } catch (cause) {
      console.warn(`[useGenerationProgress] ignoring a '${type}' event that is not JSON`, data, cause)
      return
    }
    if (typeof payload !== 'object' || payload === null) {
      console.warn(`[useGenerationProgress] ignoring a '${type}' event without an object`, data)
      return
    }
    if (type === 'progress') applyProgress(payload as ProgressData)
    else if (type === 'text') applyText(payload as TextData)
    else if (type === 'complete') finish(payload as CompletionData)
    else if (type === 'error') fail(payload as ErrorData)
    // The server ends a stream after 10 minutes; a fresh one starts with an exact snapshot.
    else if (type === 'timeout') stream.open()
    options.onEvent?.(type, payload as Record<string, unknown>)
  }

  function applyProgress(data: ProgressData) {
    const restarted = data.attempt != null && data.attempt !== attempt.value
    if (restarted) {
      attempt.value = data.attempt!
      speed.clear()
    }
    status.value = data.status
    progress.value = restarted ? data.progress : Math.max(progress.value, data.progress)
    currentTokens.value = data.current_tokens
    tokensPerSecond.value = data.tokens_per_second
    queuePosition.value = data.status === 'queued' ? (data.queue_position ?? null) : null
    jobPhase.apply(data)
    const band = data.estimated_remaining_low != null && data.estimated_remaining_high != null
      ? { low: data.estimated_remaining_low, high: data.estimated_remaining_high }
      : null
    // Stalled: no countdown and no new speed sample; the last rate is shown as stale, not as live.
    const stalled = jobPhase.phase.value === 'stalled'
    clock.report(data.elapsed_time, stalled ? null : data.estimated_remaining, band)
    if (data.status === 'processing' && !stalled) speed.add(data.elapsed_time, data.tokens_per_second)
  }

  function applyText(data: TextData) {
    if (typeof data.offset !== 'number' || typeof data.delta !== 'string') {
      console.warn('[useGenerationProgress] ignoring a malformed text event', data)
      return
    }
    const merged = mergeText(text.value, data)
    text.value = merged.text
    // Text was missed; a new connection starts with the whole text.
    if (merged.gap) stream.open()
  }

  function finish(data: CompletionData) {
    status.value = 'completed'
    progress.value = 100
    completion.value = data
    currentTokens.value = data.completion_tokens
    tokensPerSecond.value = data.tokens_per_second
    clock.report(data.elapsed_time, 0)
    jobPhase.clear()
    stop()
    options.onComplete?.(data)
  }

  function fail(data: ErrorData) {
    // Nothing remains of a job that will not finish; elapsed stops where it was.
    clock.report(clock.elapsed.value, null)
    jobPhase.clear()
    status.value = data.status === 'cancelled' ? 'cancelled' : 'failed'
    errorMessage.value = data.error || status.value
    stop()
    options.onError?.(errorMessage.value)
  }

  /** The browser gave up on the stream: the REST snapshot tells whether reopening makes sense. */
  async function probeJob() {
    const id = toValue(jobId)
    if (!id) return false
    try {
      const job = await fetchSnapshot(id)
      const terminal = terminalEventOf(job)
      if (!terminal) return true
      if (job.text) text.value = job.text
      if (terminal.type === 'complete') finish(terminal.data)
      else fail(terminal.data)
      return false
    } catch (cause) {
      if (!(cause instanceof ApiError && (cause.status === 404 || cause.status === 400))) return true
      errorMessage.value = 'This job does not exist (or belongs to another browser).'
      stop()
      options.onError?.(errorMessage.value)
      return false
    }
  }

  function reset() {
    status.value = queuePosition.value = completion.value = errorMessage.value = null
    progress.value = currentTokens.value = tokensPerSecond.value = 0
    attempt.value = 1
    text.value = ''
    speed.clear()
    jobPhase.clear()
    clock.report(0, null)
  }

  function start() {
    if (isTerminal(status.value)) return
    isTracking.value = true
    stream.open()
  }

  function stop() {
    isTracking.value = false
    stream.close()
  }

  watch(() => toValue(jobId), () => {
    const wasTracking = isTracking.value
    stop()
    reset()
    if (wasTracking || immediate) start()
  }, { immediate })

  // The stream and the clock each close themselves when the scope is disposed.

  return {
    status,
    progress,
    currentTokens,
    tokensPerSecond,
    queuePosition,
    attempt,
    elapsed: clock.elapsed,
    estimatedRemaining: clock.estimatedRemaining,
    remainingBand: clock.remainingBand,
    phase: jobPhase.phase,
    stalledReason: jobPhase.stalledReason,
    estimatedStart: jobPhase.estimatedStart,
    text,
    samples: speed.samples,
    completion,
    errorMessage,
    isTracking,
    connection: stream.state,
    connectionError: stream.error,
    lastEventId: stream.lastEventId,
    start,
    stop,
  }
}
