import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import App from '../App.vue'
import { FakeEventSource } from '../test/FakeEventSource'
import { jobId, json, progressEvent, snapshot, stubFetch } from '../test/http'

const otherId = '11111111-2222-4333-8444-555555555555'
const models = { default_model: 'stories260K', models: [] }

function stubApi(items: unknown[] = []) {
  return stubFetch((url, init) => {
    if (url === '/api/v1/ai/models') return json(models)
    if (url.startsWith('/api/v1/ai/generation?')) return json({ items })
    if (url === '/api/v1/ai/generation' && init.method === 'POST') {
      return json({ job_id: jobId, status: 'queued', queue_position: 1, status_url: '', progress_url: '' }, 202)
    }
    return json({}, 404)
  })
}

beforeEach(() => {
  FakeEventSource.reset()
  vi.stubGlobal('EventSource', FakeEventSource)
  window.history.replaceState(null, '', '/')
  localStorage.clear()
})

describe('App', () => {
  let wrapper: ReturnType<typeof mount> | undefined
  afterEach(() => wrapper?.unmount())

  it('creates a job from the form, shows its live progress and puts it in the URL', async () => {
    const fetch = stubApi()
    wrapper = mount(App)
    await flushPromises()
    expect(wrapper.find('[data-testid="progress-bar"]').exists()).toBe(false)

    await wrapper.get('[data-testid="prompt-input"]').setValue('A haiku about rain')
    await wrapper.get('[data-testid="submit-button"]').trigger('submit')
    await flushPromises()

    expect(fetch.mock.calls.some(([url, init]) => url === '/api/v1/ai/generation' && init.method === 'POST')).toBe(true)
    expect(new URLSearchParams(window.location.search).get('job')).toBe(jobId)
    expect(FakeEventSource.latest.url).toBe(`/api/v1/ai/generation/${jobId}/progress`)
    expect(wrapper.find('[data-testid="progress-bar"]').exists()).toBe(true)
  })

  it('resumes the live view of the job in the URL after a reload', async () => {
    window.history.replaceState(null, '', `/?job=${otherId}`)
    stubApi()
    wrapper = mount(App)
    await flushPromises()
    expect(FakeEventSource.latest.url).toBe(`/api/v1/ai/generation/${otherId}/progress`)
  })

  it('lists recent jobs with their state and opens one on click', async () => {
    const fetch = stubApi([snapshot(), snapshot({ job_id: otherId, status: 'completed' })])
    wrapper = mount(App)
    await flushPromises()
    expect(fetch.mock.calls.some(([url]) => url === '/api/v1/ai/generation?limit=20')).toBe(true)
    const items = wrapper.get('[data-testid="recent-jobs"]').findAll('[data-testid="recent-job"]')
    expect(items.map((i) => [i.attributes('data-job-id'), i.attributes('data-state')])).toEqual([
      [jobId, 'processing'],
      [otherId, 'completed'],
    ])
    await items[1].get('a').trigger('click')
    await flushPromises()
    expect(new URLSearchParams(window.location.search).get('job')).toBe(otherId)
    expect(FakeEventSource.latest.url).toContain(otherId)
  })

  it('follows the browser history between jobs', async () => {
    stubApi()
    window.history.replaceState(null, '', `/?job=${jobId}`)
    wrapper = mount(App)
    await flushPromises()
    const first = FakeEventSource.latest
    window.history.pushState(null, '', `/?job=${otherId}`)
    window.dispatchEvent(new PopStateEvent('popstate'))
    await flushPromises()
    expect(first.closed).toBe(true)
    expect(FakeEventSource.latest.url).toContain(otherId)
  })

  it('shows the live view\'s numbers for the running job in the recent list, without polling it', async () => {
    window.history.replaceState(null, '', `/?job=${jobId}`)
    const fetch = stubApi([snapshot({ current_tokens: 48, progress_percentage: 20 })])
    vi.useFakeTimers()
    try {
      wrapper = mount(App)
      await flushPromises()
      FakeEventSource.latest.emit('progress', progressEvent({ current_tokens: 88, progress: 36.4 }))
      await flushPromises()
      const item = wrapper.get(`[data-testid="recent-job"][data-job-id="${jobId}"]`)
      expect(item.text()).toContain('88 tok · 36%')
      expect(wrapper.get('[data-testid="metric-tokens"]').text()).toBe('88')
      expect(wrapper.get('[data-testid="progress-percent"]').text()).toBe('36%')
      const listCalls = () => fetch.mock.calls.filter(([url]) => String(url).startsWith('/api/v1/ai/generation?')).length
      const before = listCalls()
      await vi.advanceTimersByTimeAsync(10_000)
      expect(listCalls()).toBe(before)
    } finally {
      vi.useRealTimers()
    }
  })

  it('generates again with the same prompt and settings', async () => {
    const fetch = stubApi()
    wrapper = mount(App)
    await flushPromises()
    await wrapper.get('[data-testid="prompt-input"]').setValue('Once upon a time')
    await wrapper.get('[data-testid="max-tokens-input"]').setValue('77')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    FakeEventSource.latest.emit('text', { offset: 0, delta: ' there was a cat.' })
    FakeEventSource.latest.emit('complete', { status: 'completed', total_tokens: 9, prompt_tokens: 4, completion_tokens: 5, tokens_per_second: 9, elapsed_time: 500 })
    await flushPromises()
    expect(wrapper.get('[data-testid="prompt-text"]').text()).toBe('Once upon a time')
    expect(document.title).toBe('✓ Done · AiProgress')

    await wrapper.get('[data-testid="again-button"]').trigger('click')
    await flushPromises()
    const posts = fetch.mock.calls.filter(([url, init]) => url === '/api/v1/ai/generation' && init.method === 'POST')
    expect(posts).toHaveLength(2)
    expect(JSON.parse(String(posts[1][1].body))).toEqual(JSON.parse(String(posts[0][1].body)))
    expect(JSON.parse(String(posts[1][1].body))).toMatchObject({ prompt: 'Once upon a time', max_tokens: 77 })
  })
})
