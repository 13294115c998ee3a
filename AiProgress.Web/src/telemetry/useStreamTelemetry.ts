import { context, metrics, SpanKind, SpanStatusCode, trace, TraceFlags, type Context, type Histogram, type Span } from '@opentelemetry/api'
import { getCurrentScope, nextTick, onScopeDispose, toValue, watch, type MaybeRefOrGetter, type Ref } from 'vue'
import type { StreamState } from '../composables/useEventStream'

const scopeName = 'aiprogress-web'
const terminal = new Set(['complete', 'error'])

/** The job's trace context from a W3C traceparent (`00-<trace id>-<span id>-<flags>`). */
export function jobContext(traceparent: string | null | undefined): Context {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(traceparent?.trim() ?? '')
  if (!match) return context.active()
  const traceFlags = parseInt(match[3], 16) & TraceFlags.SAMPLED
  return trace.setSpanContext(context.active(), { traceId: match[1], spanId: match[2], traceFlags, isRemote: true })
}

/** Runs `done` once the DOM holds what was just applied and the browser is about to paint it. */
function afterRender(done: () => void) {
  void nextTick(() => (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(() => done()) : setTimeout(done, 0)))
}

/** Server timestamps are Unix seconds (whole seconds today; fractions are used when sent). */
const serverTime = (timestamp: unknown) => (typeof timestamp === 'number' && timestamp > 0 ? timestamp * 1000 : null)

export interface UseStreamTelemetryOptions {
  jobId: MaybeRefOrGetter<string>
  /** The job's traceparent from the create response: the spans below join the job's trace. */
  traceparent: MaybeRefOrGetter<string | null | undefined>
  connection: Ref<StreamState>
}

/**
 * The browser's part of a job's trace: "watch job" (from connecting to the terminal event) with "sse connect"
 * (EventSource until open), "first event" (open until the first event is on screen) and "render <event>"
 * (from the event's server timestamp until it is drawn) for the first progress, the first text and the
 * terminal event; and the histogram `aiprogress.web.event.render_latency` for every live progress event. All
 * no-ops unless telemetry was started.
 */
export function useStreamTelemetry(options: UseStreamTelemetryOptions) {
  const tracer = trace.getTracer(scopeName)
  let histogram: Histogram | undefined
  let watchSpan: Span | undefined
  let watchContext: Context | undefined
  let connectSpan: Span | undefined
  let firstEventSpan: Span | undefined
  const rendered = new Set<string>()
  // The first event of a connection describes the state as it was (a late watcher's snapshot, a replay),
  // so its timestamp can be old: it gets a span but not a sample of the histogram.
  let replaying = true

  const attributes = () => ({ 'aiprogress.job.id': toValue(options.jobId) })

  function begin() {
    const parent = jobContext(toValue(options.traceparent))
    watchSpan = tracer.startSpan('watch job', { attributes: attributes() }, parent)
    watchContext = trace.setSpan(parent, watchSpan)
  }

  watch(options.connection, (state) => {
    if (state === 'connecting') {
      replaying = true
      if (!watchSpan) begin()
      connectSpan?.end()
      connectSpan = tracer.startSpan('sse connect', { kind: SpanKind.CLIENT, attributes: attributes() }, watchContext)
    } else if (state === 'open' && connectSpan) {
      connectSpan.end()
      connectSpan = undefined
      if (!rendered.size && !firstEventSpan) firstEventSpan = tracer.startSpan('first event', { attributes: attributes() }, watchContext)
    } else if (state === 'reconnecting') {
      watchSpan?.addEvent('connection lost')
    }
  }, { immediate: true, flush: 'sync' })

  function observe(type: string, payload: Record<string, unknown>) {
    if (!watchSpan) begin()
    const received = Date.now()
    const sent = serverTime(payload.timestamp)
    const kind = type === 'progress' || type === 'text' ? type : terminal.has(type) ? 'terminal' : null
    const span = kind && !rendered.has(kind)
      ? tracer.startSpan(`render ${type}`, { startTime: sent && sent <= received ? sent : received, attributes: { ...attributes(), 'aiprogress.event': type } }, watchContext)
      : undefined
    if (kind) rendered.add(kind)
    const visible = typeof document === 'undefined' || document.visibilityState !== 'hidden'
    const sample = visible && !replaying
    replaying = false
    afterRender(() => {
      const now = Date.now()
      span?.end(now)
      firstEventSpan?.end(now)
      firstEventSpan = undefined
      if (type === 'progress' && sent && sample) {
        histogram ??= metrics.getMeter(scopeName).createHistogram('aiprogress.web.event.render_latency', {
          unit: 'ms',
          description: "From a progress event's server timestamp to the page drawing it (server clock in whole seconds)",
        })
        histogram.record(Math.max(0, now - sent), { 'aiprogress.event': type })
      }
      if (terminal.has(type)) end(String(payload.status ?? type))
    })
  }

  function end(outcome?: string) {
    connectSpan?.end()
    firstEventSpan?.end()
    connectSpan = firstEventSpan = undefined
    if (!watchSpan) return
    if (outcome) watchSpan.setAttribute('aiprogress.job.outcome', outcome)
    if (outcome === 'failed') watchSpan.setStatus({ code: SpanStatusCode.ERROR })
    watchSpan.end()
    watchSpan = undefined
  }

  if (getCurrentScope()) onScopeDispose(() => end())

  return { observe, end }
}
