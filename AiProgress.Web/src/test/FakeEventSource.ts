import { afterEach, beforeEach, vi } from 'vitest'

/** An EventSource the test drives: open it, push events, drop or kill the connection. */
export class FakeEventSource extends EventTarget {
  static readonly CONNECTING = 0
  static readonly OPEN = 1
  static readonly CLOSED = 2
  static instances: FakeEventSource[] = []

  static get latest(): FakeEventSource {
    const last = FakeEventSource.instances.at(-1)
    if (!last) throw new Error('No EventSource was opened')
    return last
  }

  static reset() {
    FakeEventSource.instances = []
  }

  readonly CONNECTING = 0
  readonly OPEN = 1
  readonly CLOSED = 2
  readonly url: string
  readonly withCredentials = false
  readyState = 0
  closed = false
  onopen: ((e: Event) => void) | null = null
  onmessage: ((e: MessageEvent) => void) | null = null
  onerror: ((e: Event) => void) | null = null

  constructor(url: string | URL) {
    super()
    this.url = String(url)
    FakeEventSource.instances.push(this)
  }

  close() {
    this.readyState = 2
    this.closed = true
  }

  open() {
    this.readyState = 1
    this.dispatchEvent(new Event('open'))
  }

  /** A server event; objects are sent as JSON. */
  emit(type: string, data: unknown, id = '') {
    if (this.closed) throw new Error(`emit('${type}') on a closed EventSource`)
    const text = typeof data === 'string' ? data : JSON.stringify(data)
    this.dispatchEvent(new MessageEvent(type, { data: text, lastEventId: id }))
  }

  /** The connection dropped and the browser is reconnecting by itself (it will send Last-Event-ID). */
  drop() {
    this.readyState = 0
    this.dispatchEvent(new Event('error'))
  }

  /** The browser gave up (HTTP error, wrong content type): readyState CLOSED. */
  fail() {
    this.readyState = 2
    this.dispatchEvent(new Event('error'))
  }
}

/** Every test of the calling file gets a fresh fake EventSource and fake timers (the 100 ms clock, backoffs). */
export function useFakeEventSourceAndTimers() {
  beforeEach(() => {
    FakeEventSource.reset()
    vi.stubGlobal('EventSource', FakeEventSource)
    vi.useFakeTimers()
  })
  afterEach(() => vi.useRealTimers())
}
