import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { jobId, json, problem, stubFetch, type Handler } from '../../test/http'
import PromptForm from '../PromptForm.vue'

const models = {
  default_model: 'stories260K',
  models: [
    { name: 'qwen2.5:0.5b', size: 1, family: 'qwen2', parameter_size: '0.5B', quantization_level: 'Q4_K_M', modified_at: '2026-01-01T00:00:00Z' },
    { name: 'stories260K:latest', size: 1, family: 'llama', parameter_size: '260K', quantization_level: 'F32', modified_at: '2026-01-01T00:00:00Z' },
  ],
}

const created = { job_id: jobId, status: 'queued', queue_position: 1, status_url: 's', progress_url: 'p' }

async function mountForm(create: Handler = () => json(created, 202)) {
  const fetch = stubFetch((url, init) => (url === '/api/v1/ai/models' ? json(models) : create(url, init)))
  const wrapper = mount(PromptForm)
  await flushPromises()
  return { wrapper, fetch }
}

describe('PromptForm', () => {
  it('offers the server models with the default selected', async () => {
    const { wrapper } = await mountForm()
    const select = wrapper.get<HTMLSelectElement>('[data-testid="model-select"]')
    expect(select.findAll('option').map((o) => o.attributes('value'))).toEqual(['qwen2.5:0.5b', 'stories260K:latest'])
    expect(select.element.value).toBe('stories260K:latest')
  })

  it('creates a job from the form and emits it', async () => {
    const { wrapper, fetch } = await mountForm()
    await wrapper.get('[data-testid="prompt-input"]').setValue('  Tell me a story  ')
    await wrapper.get('[data-testid="model-select"]').setValue('qwen2.5:0.5b')
    await wrapper.get('[data-testid="max-tokens-input"]').setValue('64')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    const [url, init] = fetch.mock.calls.at(-1)!
    expect(url).toBe('/api/v1/ai/generation')
    expect(init.method).toBe('POST')
    expect(new Headers(init.headers).get('Content-Type')).toBe('application/json')
    expect(JSON.parse(String(init.body))).toEqual({ prompt: 'Tell me a story', model: 'qwen2.5:0.5b', max_tokens: 64 })
    expect(wrapper.emitted('created')).toEqual([[created, { prompt: 'Tell me a story', model: 'qwen2.5:0.5b', max_tokens: 64 }]])
  })

  it('submits with Ctrl+Enter from the prompt', async () => {
    const { wrapper, fetch } = await mountForm()
    await wrapper.get('[data-testid="prompt-input"]').setValue('Hi')
    await wrapper.get('[data-testid="prompt-input"]').trigger('keydown', { key: 'Enter', ctrlKey: true })
    await flushPromises()
    expect(fetch).toHaveBeenCalledTimes(2)
    expect(wrapper.emitted('created')).toHaveLength(1)
  })

  it('shows field errors from a problem response', async () => {
    const { wrapper } = await mountForm(() => problem(400, { title: 'One or more validation errors occurred.', errors: { max_tokens: ['max_tokens must be from 1 to 8192.'] } }))
    await wrapper.get('[data-testid="prompt-input"]').setValue('Hi')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="error-message"]').text()).toBe('max_tokens must be from 1 to 8192.')
    expect(wrapper.emitted('created')).toBeUndefined()
  })

  it('says when to retry after a 429', async () => {
    const { wrapper } = await mountForm(() => json({ status: 429, detail: 'Too many jobs were created; try again later.' }, 429, { 'Retry-After': '30' }))
    await wrapper.get('[data-testid="prompt-input"]').setValue('Hi')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="error-message"]').text()).toBe('Too many jobs were created; try again later. Try again in 30 s.')
  })

  it('rejects a blank prompt or an out-of-range max tokens without calling the API', async () => {
    const { wrapper, fetch } = await mountForm()
    await wrapper.get('[data-testid="prompt-input"]').setValue('   ')
    await wrapper.get('form').trigger('submit')
    expect(wrapper.get('[data-testid="error-message"]').text()).toBe('Write a prompt first.')
    await wrapper.get('[data-testid="prompt-input"]').setValue('Hi')
    await wrapper.get('[data-testid="max-tokens-input"]').setValue('9000')
    await wrapper.get('form').trigger('submit')
    expect(wrapper.get('[data-testid="error-message"]').text()).toMatch(/1 to 8,192/)
    expect(fetch).toHaveBeenCalledTimes(1)
  })

  it('falls back to the server default when the model list is unavailable', async () => {
    stubFetch(() => problem(503, { detail: 'The LLM server is not reachable.' }))
    const wrapper = mount(PromptForm)
    await flushPromises()
    const options = wrapper.get('[data-testid="model-select"]').findAll('option')
    expect(options.map((o) => [o.attributes('value'), o.text()])).toEqual([['', 'Server default']])
  })
})
