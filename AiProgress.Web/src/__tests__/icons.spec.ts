import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import App from '../App.vue'
import { FakeEventSource } from '../test/FakeEventSource'
import { jobId, json, progressEvent, snapshot, stubFetch } from '../test/http'

// Pictographs that render as empty boxes where no emoji font is installed (Debian's Chromium, say).
const emoji = /\p{Extended_Pictographic}/u

describe('icons', () => {
  it('are inline SVG, and no emoji is left in the page', async () => {
    FakeEventSource.reset()
    vi.stubGlobal('EventSource', FakeEventSource)
    window.history.replaceState(null, '', `/?job=${jobId}`)
    stubFetch((url) => {
      if (url === '/api/v1/ai/models') return json({ default_model: 'stories260K', models: [] })
      if (url.startsWith('/api/v1/ai/generation?')) return json({ items: [snapshot()] })
      return json({}, 404)
    })
    const wrapper = mount(App, { attachTo: document.body })
    await flushPromises()
    FakeEventSource.latest.emit('progress', progressEvent())
    await flushPromises()

    expect(wrapper.get('[data-testid="logo"]').element.tagName).toBe('svg')
    expect(wrapper.findAll('.metrics dt svg')).toHaveLength(4)
    const status = wrapper.get('[data-testid="status-icon"]')
    expect(status.element.tagName).toBe('svg')
    expect(status.attributes('role')).toBe('img')
    expect(status.attributes('aria-label')).toBeTruthy()
    // Icons beside their own words are hidden from assistive technology, the rest are labelled.
    for (const svg of wrapper.findAll('svg.lucide')) {
      expect(svg.attributes('aria-hidden') === 'true' || !!svg.attributes('aria-label')).toBe(true)
    }
    expect(document.body.textContent).not.toMatch(emoji)
    expect(document.title).not.toMatch(emoji)
    wrapper.unmount()
  })
})
