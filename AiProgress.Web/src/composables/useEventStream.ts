import { getCurrentScope, onScopeDispose, shallowRef } from 'vue'

export type StreamState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed'

export interface UseEventStreamOptions {
  /** Named events to listen for. A server event named `error` shares its name with network errors. */
  events: readonly string[]
  onEvent: (type: string, data: string, id: string) => void
  /** Waits before reopening once the browser has given up on the stream; the last one repeats. */
  retryDelays?: readonly number[]
  /** Asked before each reopen; false ends the stream (e.g. the job is gone or already over). */
  shouldReopen?: () => boolean | Promise<boolean>
}

const defaultRetryDelays = [1000, 2000, 5000, 10_000, 30_000]

/**
 * An EventSource that keeps going. While the browser reconnects by itself (readyState CONNECTING) it
 * sends Last-Event-ID and the server replays what was missed; only when the browser gives up
 * (readyState CLOSED: an HTTP error or a wrong content type) is the stream reopened here, after a backoff.
 */
export function useEventStream(url: () => string | null | undefined, options: UseEventStreamOptions) {
  const state = shallowRef<StreamState>('idle')
  const error = shallowRef<string | null>(null)
  const lastEventId = shallowRef<string | null>(null)
  const retries = shallowRef(0)
  const delays = options.retryDelays?.length ? options.retryDelays : defaultRetryDelays

  let source: EventSource | null = null
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  // Bumped by close(), so a reopen decided before it cannot revive the stream.
  let session = 0

  function open() {
    clearTimeout(retryTimer)
    closeSource()
    const target = url()
    if (!target) return
    const es = new EventSource(target)
    source = es
    state.value = 'connecting'
    es.addEventListener('open', () => {
      if (source !== es) return
      state.value = 'open'
      error.value = null
      retries.value = 0
    })
    const handle = (type: string) => (event: Event) => {
      if (source !== es) return
      if (!(event instanceof MessageEvent)) return onNetworkError(es)
      if (event.lastEventId) lastEventId.value = event.lastEventId
      if (options.events.includes(type)) options.onEvent(type, event.data, event.lastEventId)
    }
    for (const type of new Set([...options.events, 'error'])) es.addEventListener(type, handle(type))
  }

  function onNetworkError(es: EventSource) {
    state.value = 'reconnecting'
    if (es.readyState !== EventSource.CLOSED) {
      error.value = 'Connection lost; reconnecting…'
      return
    }
    closeSource()
    const delay = delays[Math.min(retries.value, delays.length - 1)]
    retries.value++
    error.value = `The progress stream is unavailable; retrying in ${Math.round(delay / 1000)} s`
    const current = session
    Promise.resolve()
      .then(() => options.shouldReopen?.() ?? true)
      .catch(() => true)
      .then((reopen) => {
        if (current !== session) return
        if (!reopen) return close()
        retryTimer = setTimeout(open, delay)
      })
  }

  function closeSource() {
    source?.close()
    source = null
  }

  function close() {
    session++
    clearTimeout(retryTimer)
    closeSource()
    state.value = 'closed'
    error.value = null
  }

  if (getCurrentScope()) onScopeDispose(close)

  return { state, error, lastEventId, retries, open, close }
}
