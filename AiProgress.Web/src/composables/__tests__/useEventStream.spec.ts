import { describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { FakeEventSource, useFakeEventSourceAndTimers } from '../../test/FakeEventSource'
import { useEventStream, type UseEventStreamOptions } from '../useEventStream'

function setup(options: Partial<UseEventStreamOptions> = {}) {
  const onEvent = vi.fn()
  const scope = effectScope()
  const stream = scope.run(() => useEventStream(() => '/stream', { events: ['progress', 'error'], onEvent, retryDelays: [500], ...options }))!
  return { stream, onEvent, scope }
}

useFakeEventSourceAndTimers()

describe('useEventStream', () => {
  it('passes named events on and tells a server error event from a network error', () => {
    const { stream, onEvent } = setup()
    stream.open()
    FakeEventSource.latest.open()
    expect(stream.state.value).toBe('open')
    FakeEventSource.latest.emit('error', '{"status":"failed"}', '3-0')
    expect(onEvent).toHaveBeenCalledWith('error', '{"status":"failed"}', '3-0')
    FakeEventSource.latest.drop()
    expect(onEvent).toHaveBeenCalledOnce()
    expect(stream.state.value).toBe('reconnecting')
  })

  it('ignores events it was not asked for', () => {
    const { stream, onEvent } = setup()
    stream.open()
    FakeEventSource.latest.emit('other', '{}')
    expect(onEvent).not.toHaveBeenCalled()
  })

  it('does not reopen when told not to', async () => {
    const { stream } = setup({ shouldReopen: () => false })
    stream.open()
    FakeEventSource.latest.fail()
    await vi.advanceTimersByTimeAsync(5000)
    expect(FakeEventSource.instances).toHaveLength(1)
    expect(stream.state.value).toBe('closed')
    expect(stream.error.value).toBeNull()
  })

  it('counts retries until a connection opens again', async () => {
    const { stream } = setup()
    stream.open()
    FakeEventSource.latest.fail()
    await vi.advanceTimersByTimeAsync(500)
    expect(stream.retries.value).toBe(1)
    FakeEventSource.latest.open()
    expect(stream.retries.value).toBe(0)
    expect(stream.error.value).toBeNull()
  })

  it('does not revive a stream closed while a reopen was pending', async () => {
    const { stream } = setup()
    stream.open()
    FakeEventSource.latest.fail()
    await vi.advanceTimersByTimeAsync(100)
    stream.close()
    await vi.advanceTimersByTimeAsync(5000)
    expect(FakeEventSource.instances).toHaveLength(1)
  })
})
