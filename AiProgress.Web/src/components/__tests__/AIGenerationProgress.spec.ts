import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { FakeEventSource, useFakeEventSourceAndTimers } from '../../test/FakeEventSource'
import { jobId, problem, progressEvent, stubFetch } from '../../test/http'
import AIGenerationProgress from '../AIGenerationProgress.vue'

const es = () => FakeEventSource.latest
const completeEvent = { status: 'completed', total_tokens: 512, prompt_tokens: 12, completion_tokens: 500, tokens_per_second: 14.1, elapsed_time: 36000 }

function mountProgress(props: { autoStart?: boolean } = {}) {
  return mount(AIGenerationProgress, { props: { jobId, ...props } })
}

useFakeEventSourceAndTimers()

describe('AIGenerationProgress', () => {
  it('shows the queue position while queued', async () => {
    const wrapper = mountProgress()
    es().emit('progress', progressEvent({ status: 'queued', progress: 0, current_tokens: 0, queue_position: 2 }))
    await wrapper.vm.$nextTick()
    expect(wrapper.get('[data-testid="status-line"]').text()).toBe('Waiting — 2nd in line')
    expect(wrapper.get('[data-testid="job-state"]').attributes('data-state')).toBe('queued')
  })

  it('says it is reading the prompt before the first token', async () => {
    const wrapper = mountProgress()
    es().emit('progress', progressEvent({ progress: 0, current_tokens: 0, tokens_per_second: 0 }))
    await wrapper.vm.$nextTick()
    expect(wrapper.get('[data-testid="status-line"]').text()).toBe('Reading your prompt…')
  })

  it('says when a queued job should start, from the measured drain rate', async () => {
    const wrapper = mountProgress()
    es().emit('progress', progressEvent({ status: 'queued', progress: 0, current_tokens: 0, queue_position: 3, estimated_start: 20_000, phase: 'queued' }))
    await wrapper.vm.$nextTick()
    expect(wrapper.get('[data-testid="status-line"]').text()).toBe('Waiting — 3rd in line, starts in about 20 s')
  })

  it('shows the remaining time as a band while writing', async () => {
    const wrapper = mountProgress()
    es().emit('progress', progressEvent({ phase: 'generating', estimated_remaining: 10_000, estimated_remaining_low: 8_000, estimated_remaining_high: 12_000, expected_tokens: 300 }))
    await wrapper.vm.$nextTick()
    expect(wrapper.get('[data-testid="status-line"]').text()).toBe('Writing at 14.2 tokens/sec — about 8–12 s left')
    expect(wrapper.get('[data-testid="metric-remaining"]').text()).toBe('8.0 s – 12.0 s')
  })

  it('says in words when the worker is lost, stops the countdown, marks the rate stale, and recovers by itself', async () => {
    const wrapper = mountProgress()
    es().emit('progress', progressEvent({ phase: 'generating' }))
    await wrapper.vm.$nextTick()
    es().emit('progress', progressEvent({ phase: 'stalled', stalled_reason: 'worker_lost', estimated_remaining: null }))
    await wrapper.vm.$nextTick()

    expect(wrapper.get('[data-testid="status-line"]').text()).toBe('The worker stopped — another one is taking over')
    expect(wrapper.get('[data-testid="metric-remaining"]').text()).toBe('—')
    expect(wrapper.get('[data-testid="metric-speed"]').classes()).toContain('stale')
    expect(wrapper.get('[data-testid="metric-speed"]').text()).toContain('(paused)')

    es().emit('progress', progressEvent({ phase: 'generating', current_tokens: 260 }))
    await wrapper.vm.$nextTick()
    expect(wrapper.get('[data-testid="status-line"]').text()).toMatch(/^Writing at 14.2 tokens\/sec/)
    expect(wrapper.get('[data-testid="metric-speed"]').classes()).not.toContain('stale')
  })

  it('says when the model server is down and the job waits', async () => {
    const wrapper = mountProgress()
    es().emit('progress', progressEvent({ phase: 'stalled', stalled_reason: 'llm_unavailable', estimated_remaining: null }))
    await wrapper.vm.$nextTick()
    expect(wrapper.get('[data-testid="status-line"]').text()).toBe('The model server is unavailable — the job waits and goes on when it is back')
  })

  it('renders live progress, metrics, sparkline and text', async () => {
    const wrapper = mountProgress()
    es().emit('progress', progressEvent({ elapsed_time: 16000, tokens_per_second: 12 }))
    es().emit('progress', progressEvent())
    es().emit('text', { offset: 0, delta: 'Once upon a time' })
    await wrapper.vm.$nextTick()
    expect(wrapper.get('[data-testid="status-line"]').text()).toBe('Writing at 14.2 tokens/sec — about 20 s left')
    const bar = wrapper.get('[data-testid="progress-bar"]')
    expect(bar.attributes('role')).toBe('progressbar')
    expect(bar.attributes('aria-valuenow')).toBe('45')
    expect(bar.attributes('aria-valuemin')).toBe('0')
    expect(bar.attributes('aria-valuemax')).toBe('100')
    expect(wrapper.get('[data-testid="progress-percent"]').text()).toBe('45%')
    expect(wrapper.get('[data-testid="metric-tokens"]').text()).toBe('230')
    expect(wrapper.get('[data-testid="metric-speed"]').text()).toBe('14.2 tok/s')
    expect(wrapper.get('[data-testid="metric-elapsed"]').text()).toBe('16.2 s')
    expect(wrapper.get('[data-testid="metric-remaining"]').text()).toBe('20.0 s')
    expect(wrapper.get('[data-testid="generated-text"]').text()).toBe('Once upon a time')
    expect(wrapper.get('[data-testid="sparkline"]').attributes('data-points')).toBe('2')
    expect(wrapper.find('[data-testid="sparkline"] polyline').exists()).toBe(true)
    expect(wrapper.get('[data-testid="job-state"]').text()).toBe('processing')
  })

  it('ticks the elapsed metric between events', async () => {
    const wrapper = mountProgress()
    es().emit('progress', progressEvent({ elapsed_time: 2000 }))
    vi.advanceTimersByTime(300)
    await wrapper.vm.$nextTick()
    expect(wrapper.get('[data-testid="metric-elapsed"]').text()).toBe('2.3 s')
  })

  it('shows final stats and emits complete', async () => {
    const wrapper = mountProgress()
    es().emit('progress', progressEvent())
    es().emit('complete', completeEvent)
    await wrapper.vm.$nextTick()
    expect(wrapper.get('[data-testid="status-line"]').text()).toBe('Done: 500 tokens in 36.0 s (14.1 tok/s)')
    expect(wrapper.get('[data-testid="status-icon"]').attributes('aria-label')).toBe('Done')
    expect(wrapper.get('[data-testid="progress-percent"]').text()).toBe('100%')
    expect(wrapper.get('[data-testid="job-state"]').attributes('data-state')).toBe('completed')
    expect(wrapper.find('[data-testid="cancel-button"]').exists()).toBe(false)
    expect(wrapper.emitted('complete')).toEqual([[completeEvent]])
  })

  it('shows the error and emits it when the job fails', async () => {
    const wrapper = mountProgress()
    es().emit('error', { status: 'failed', error: 'Ollama API timeout' })
    await wrapper.vm.$nextTick()
    expect(wrapper.get('[data-testid="status-line"]').text()).toBe('Generation failed')
    expect(wrapper.get('[data-testid="status-icon"]').element.tagName).toBe('svg')
    expect(wrapper.get('[data-testid="status-icon"]').attributes('aria-label')).toBe('Failed')
    expect(wrapper.get('[data-testid="error-message"]').text()).toBe('Ollama API timeout')
    expect(wrapper.get('[data-testid="job-state"]').attributes('data-state')).toBe('failed')
    expect(wrapper.emitted('error')).toEqual([['Ollama API timeout']])
  })

  it('shows a cancelled job without an error message or a time remaining', async () => {
    const wrapper = mountProgress()
    es().emit('progress', { status: 'processing', progress: 10, current_tokens: 10, tokens_per_second: 5, elapsed_time: 2000, estimated_remaining: 18000, timestamp: 1 })
    await wrapper.vm.$nextTick()
    expect(wrapper.get('[data-testid="metric-remaining"]').text()).not.toBe('—')
    es().emit('error', { status: 'cancelled', error: 'cancelled' })
    await wrapper.vm.$nextTick()
    expect(wrapper.get('[data-testid="job-state"]').attributes('data-state')).toBe('cancelled')
    expect(wrapper.get('[data-testid="status-line"]').text()).toBe('Cancelled')
    expect(wrapper.find('[data-testid="error-message"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="metric-remaining"]').text()).toBe('—')
  })

  it('shows a lost connection while the browser reconnects', async () => {
    const wrapper = mountProgress()
    es().emit('progress', progressEvent())
    es().drop()
    await wrapper.vm.$nextTick()
    expect(wrapper.get('[data-testid="connection-error"]').text()).toMatch(/reconnecting/)
  })

  it('posts the cancel endpoint from the Cancel button', async () => {
    const fetch = stubFetch(() => new Response(null, { status: 202 }))
    const wrapper = mountProgress()
    es().emit('progress', progressEvent())
    await wrapper.vm.$nextTick()
    await wrapper.get('[data-testid="cancel-button"]').trigger('click')
    await flushPromises()
    expect(fetch).toHaveBeenCalledOnce()
    const [url, init] = fetch.mock.calls[0]
    expect(url).toBe(`/api/v1/ai/generation/${jobId}/cancel`)
    expect(init.method).toBe('POST')
  })

  it('shows why a cancel failed, but not for a job that already ended', async () => {
    stubFetch(() => problem(409, { title: 'Job already ended' }))
    const wrapper = mountProgress()
    es().emit('progress', progressEvent())
    await wrapper.vm.$nextTick()
    await wrapper.get('[data-testid="cancel-button"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[role="alert"]').exists()).toBe(false)

    stubFetch(() => problem(503, { detail: 'Queue unavailable' }))
    await wrapper.get('[data-testid="cancel-button"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[role="alert"]').text()).toBe('Queue unavailable')
  })

  it('waits for startTracking() when autoStart is false, and stopTracking() closes the stream', async () => {
    const wrapper = mountProgress({ autoStart: false })
    expect(FakeEventSource.instances).toHaveLength(0)
    const exposed = wrapper.vm as unknown as { startTracking(): void; stopTracking(): void }
    exposed.startTracking()
    expect(FakeEventSource.instances).toHaveLength(1)
    exposed.stopTracking()
    expect(es().closed).toBe(true)
  })

  it('closes the stream and clears its timers on unmount', () => {
    const wrapper = mountProgress()
    const source = es()
    source.emit('progress', progressEvent())
    expect(vi.getTimerCount()).toBe(1)
    wrapper.unmount()
    expect(source.closed).toBe(true)
    expect(vi.getTimerCount()).toBe(0)
  })
})
