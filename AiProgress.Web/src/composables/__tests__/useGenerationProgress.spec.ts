import { describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, shallowRef } from 'vue'
import { ApiError } from '../../api/client'
import type { JobSnapshot } from '../../api/types'
import { FakeEventSource, useFakeEventSourceAndTimers } from '../../test/FakeEventSource'
import { jobId, progressEvent, snapshot } from '../../test/http'
import { useGenerationProgress, type UseGenerationProgressOptions } from '../useGenerationProgress'

function setup(options: UseGenerationProgressOptions = {}, id: string = jobId) {
  const scope = effectScope()
  const idRef = shallowRef(id)
  const fetchSnapshot = vi.fn<(id: string) => Promise<JobSnapshot>>(async () => snapshot() as JobSnapshot)
  const onComplete = vi.fn()
  const onError = vi.fn()
  const progress = scope.run(() =>
    useGenerationProgress(idRef, { fetchSnapshot, onComplete, onError, retryDelays: [1000, 4000], ...options }),
  )!
  return { scope, idRef, progress, fetchSnapshot, onComplete, onError }
}

const es = () => FakeEventSource.latest

useFakeEventSourceAndTimers()

describe('useGenerationProgress', () => {
  it('opens the progress stream of the job at once', () => {
    const { progress } = setup()
    expect(FakeEventSource.instances).toHaveLength(1)
    expect(es().url).toBe(`/api/v1/ai/generation/${jobId}/progress`)
    expect(progress.isTracking.value).toBe(true)
  })

  it('waits for start() when immediate is false', () => {
    const { progress } = setup({ immediate: false })
    expect(FakeEventSource.instances).toHaveLength(0)
    progress.start()
    expect(FakeEventSource.instances).toHaveLength(1)
  })

  it('shows the queue position while queued', () => {
    const { progress } = setup()
    es().emit('progress', progressEvent({ status: 'queued', progress: 0, current_tokens: 0, queue_position: 3 }), '1-0')
    expect(progress.status.value).toBe('queued')
    expect(progress.queuePosition.value).toBe(3)
  })

  it('applies progress events and records speed samples', () => {
    const { progress } = setup()
    es().emit('progress', progressEvent(), '1-0')
    expect(progress.status.value).toBe('processing')
    expect(progress.progress.value).toBe(45)
    expect(progress.currentTokens.value).toBe(230)
    expect(progress.tokensPerSecond.value).toBe(14.2)
    expect(progress.elapsed.value).toBe(16200)
    expect(progress.estimatedRemaining.value).toBe(20000)
    expect(progress.queuePosition.value).toBeNull()
    es().emit('progress', progressEvent({ progress: 50, elapsed_time: 16700, tokens_per_second: 15 }), '1-1')
    expect(progress.samples.value).toEqual([{ t: 16200, v: 14.2 }, { t: 16700, v: 15 }])
  })

  it('never moves the percentage back within an attempt, but starts over on a new attempt', () => {
    const { progress } = setup()
    es().emit('progress', progressEvent({ progress: 60 }))
    es().emit('progress', progressEvent({ progress: 40, elapsed_time: 17000 }))
    expect(progress.progress.value).toBe(60)
    es().emit('progress', progressEvent({ progress: 5, attempt: 2, elapsed_time: 500 }))
    expect(progress.progress.value).toBe(5)
    expect(progress.attempt.value).toBe(2)
    expect(progress.samples.value).toEqual([{ t: 500, v: 14.2 }])
  })

  it('appends text deltas by offset, drops duplicates, and clears on reset', () => {
    const { progress } = setup()
    es().emit('text', { offset: 0, delta: 'Once' }, '1-0')
    es().emit('text', { offset: 4, delta: ' upon' }, '1-1')
    es().emit('text', { offset: 4, delta: ' upon' }, '1-1')
    expect(progress.text.value).toBe('Once upon')
    es().emit('text', { offset: 0, delta: '', reset: true }, '1-2')
    expect(progress.text.value).toBe('')
    es().emit('text', { offset: 0, delta: 'Again' }, '1-3')
    expect(progress.text.value).toBe('Again')
  })

  it('tracks the last event id', () => {
    const { progress } = setup()
    es().emit('progress', progressEvent(), '1730491234000-0')
    es().emit('text', { offset: 0, delta: 'x' }, '1730491234000-1')
    expect(progress.lastEventId.value).toBe('1730491234000-1')
  })

  it('completes: final stats, callback, stream closed, later events ignored', () => {
    const { progress, onComplete } = setup()
    const source = es()
    es().emit('progress', progressEvent())
    const done = { status: 'completed', total_tokens: 512, prompt_tokens: 12, completion_tokens: 500, tokens_per_second: 14.1, elapsed_time: 36000 }
    source.emit('complete', done)
    expect(progress.status.value).toBe('completed')
    expect(progress.progress.value).toBe(100)
    expect(progress.currentTokens.value).toBe(500)
    expect(progress.elapsed.value).toBe(36000)
    expect(progress.estimatedRemaining.value).toBe(0)
    expect(progress.completion.value).toEqual(done)
    expect(onComplete).toHaveBeenCalledWith(done)
    expect(source.closed).toBe(true)
    expect(progress.isTracking.value).toBe(false)
    source.dispatchEvent(new MessageEvent('progress', { data: JSON.stringify(progressEvent({ progress: 10 })) }))
    expect(progress.progress.value).toBe(100)
  })

  it.each([
    ['failed', 'Ollama API timeout'],
    ['cancelled', 'cancelled'],
  ])('ends on the server error event (%s)', (status, error) => {
    const { progress, onError } = setup()
    const source = es()
    source.emit('error', { status, error })
    expect(progress.status.value).toBe(status)
    expect(progress.errorMessage.value).toBe(error)
    expect(onError).toHaveBeenCalledWith(error)
    expect(source.closed).toBe(true)
    expect(FakeEventSource.instances).toHaveLength(1)
  })

  it('logs and ignores an event that is not JSON', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const { progress } = setup()
    es().emit('progress', '{not json')
    expect(warn).toHaveBeenCalledOnce()
    expect(progress.status.value).toBeNull()
    es().emit('progress', progressEvent())
    expect(progress.status.value).toBe('processing')
  })

  it('lets the browser reconnect by itself while it is trying (Last-Event-ID resume)', () => {
    const { progress } = setup()
    const source = es()
    source.open()
    source.emit('text', { offset: 0, delta: 'Once' }, '5-0')
    source.drop()
    expect(FakeEventSource.instances).toHaveLength(1)
    expect(progress.connection.value).toBe('reconnecting')
    expect(progress.connectionError.value).toMatch(/reconnecting/)
    // The server replays after Last-Event-ID; an overlap is harmless.
    source.open()
    source.emit('text', { offset: 0, delta: 'Once upon' }, '5-1')
    expect(progress.connectionError.value).toBeNull()
    expect(progress.text.value).toBe('Once upon')
  })

  it('reopens with a backoff after the browser gives up, and resumes from the snapshot without duplicating text', async () => {
    const { progress, fetchSnapshot } = setup()
    const first = es()
    first.emit('text', { offset: 0, delta: 'Once upon' }, '5-1')
    first.fail()
    await vi.advanceTimersByTimeAsync(0)
    expect(fetchSnapshot).toHaveBeenCalledWith(jobId)
    expect(progress.connectionError.value).toMatch(/unavailable/)
    await vi.advanceTimersByTimeAsync(999)
    expect(FakeEventSource.instances).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(FakeEventSource.instances).toHaveLength(2)
    expect(first.closed).toBe(true)

    // A new EventSource cannot send Last-Event-ID: the server starts with the whole text so far.
    es().emit('text', { offset: 0, delta: 'Once upon a time' }, '7-0')
    expect(progress.text.value).toBe('Once upon a time')

    es().fail()
    await vi.advanceTimersByTimeAsync(3999)
    expect(FakeEventSource.instances).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(FakeEventSource.instances).toHaveLength(3)
  })

  it('stops retrying when the job turns out to be over', async () => {
    const { progress, fetchSnapshot, onComplete } = setup()
    fetchSnapshot.mockResolvedValueOnce(snapshot({
      status: 'completed', text: 'The end.', total_tokens: 30, prompt_tokens: 10, completion_tokens: 20, current_tokens: 20,
    }) as JobSnapshot)
    es().fail()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(FakeEventSource.instances).toHaveLength(1)
    expect(progress.status.value).toBe('completed')
    expect(progress.text.value).toBe('The end.')
    expect(onComplete).toHaveBeenCalledOnce()
  })

  it('stops retrying and reports an unknown job', async () => {
    const { progress, fetchSnapshot, onError } = setup()
    fetchSnapshot.mockRejectedValueOnce(new ApiError(404, { title: 'Job not found' }))
    es().fail()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(FakeEventSource.instances).toHaveLength(1)
    expect(progress.errorMessage.value).toMatch(/does not exist/)
    expect(onError).toHaveBeenCalledOnce()
  })

  it('keeps retrying when the snapshot cannot be read either', async () => {
    const { fetchSnapshot } = setup()
    fetchSnapshot.mockRejectedValueOnce(new TypeError('Failed to fetch'))
    es().fail()
    await vi.advanceTimersByTimeAsync(1000)
    expect(FakeEventSource.instances).toHaveLength(2)
  })

  it('starts a fresh stream after a timeout event', () => {
    const { progress } = setup()
    const first = es()
    first.emit('text', { offset: 0, delta: 'abc' }, '1-0')
    first.emit('timeout', { status: 'processing', error: 'stream timeout' }, '1-1')
    expect(first.closed).toBe(true)
    expect(FakeEventSource.instances).toHaveLength(2)
    es().emit('text', { offset: 0, delta: 'abcdef' }, '2-0')
    expect(progress.text.value).toBe('abcdef')
    expect(progress.status.value).toBeNull()
  })

  it('starts a fresh stream when text was missed', () => {
    const { progress } = setup()
    es().emit('text', { offset: 0, delta: 'abc' })
    es().emit('text', { offset: 10, delta: 'xyz' })
    expect(progress.text.value).toBe('abc')
    expect(FakeEventSource.instances).toHaveLength(2)
  })

  it('moves elapsed and remaining time every 100 ms between events', () => {
    const { progress } = setup()
    es().emit('progress', progressEvent({ elapsed_time: 1000, estimated_remaining: 5000 }))
    vi.advanceTimersByTime(100)
    expect(progress.elapsed.value).toBe(1100)
    expect(progress.estimatedRemaining.value).toBe(4900)
    vi.advanceTimersByTime(50)
    expect(progress.elapsed.value).toBe(1100)
    vi.advanceTimersByTime(950)
    expect(progress.elapsed.value).toBe(2100)
    expect(progress.estimatedRemaining.value).toBe(3900)
    es().emit('progress', progressEvent({ elapsed_time: 2050, estimated_remaining: 3000 }))
    expect(progress.elapsed.value).toBe(2050)
  })

  it('does not run the clock while queued or after the end', () => {
    const { progress } = setup()
    es().emit('progress', progressEvent({ status: 'queued', elapsed_time: 0, queue_position: 1 }))
    expect(vi.getTimerCount()).toBe(0)
    es().emit('progress', progressEvent())
    expect(vi.getTimerCount()).toBe(1)
    es().emit('error', { status: 'failed', error: 'boom' })
    expect(vi.getTimerCount()).toBe(0)
    vi.advanceTimersByTime(1000)
    expect(progress.elapsed.value).toBe(16200)
  })

  it('closes the stream and clears timers when its scope is disposed', async () => {
    const { scope } = setup()
    const source = es()
    source.emit('progress', progressEvent())
    source.fail()
    await vi.advanceTimersByTimeAsync(0)
    expect(vi.getTimerCount()).toBeGreaterThan(0)
    scope.stop()
    expect(source.closed).toBe(true)
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(FakeEventSource.instances).toHaveLength(1)
  })

  it('follows a new job id with fresh state', async () => {
    const { progress, idRef } = setup()
    const first = es()
    first.emit('text', { offset: 0, delta: 'first job' })
    idRef.value = '11111111-2222-4333-8444-555555555555'
    await nextTick()
    expect(first.closed).toBe(true)
    expect(es().url).toContain('11111111-2222-4333-8444-555555555555')
    expect(progress.text.value).toBe('')
  })
})
