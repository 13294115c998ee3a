import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import JobOutput from '../JobOutput.vue'

const hostile = [
  '<img src=x onerror=alert(1)>',
  '<script>alert(2)</script>',
  '[click me](javascript:alert(3))',
  '<a href="javascript:alert(4)">raw link</a>',
  '<javascript:alert(5)>',
  '![pixel](https://evil.example/track.png)',
  '<svg onload=alert(6)></svg>',
  '```html\n<iframe src="https://evil.example"></iframe>\n<b onclick="alert(7)">never closed',
].join('\n\n')

function expectInert(root: Element) {
  expect(root.querySelector('img, script, iframe, svg, object, embed, style, form, b')).toBeNull()
  for (const element of root.querySelectorAll('*')) {
    for (const attribute of element.attributes) expect(attribute.name).not.toMatch(/^on/i)
  }
  for (const link of root.querySelectorAll('a')) expect(link.getAttribute('href') ?? '').toMatch(/^https?:/)
}

describe('JobOutput', () => {
  it('shows a completion model\'s prompt dimmed, then its continuation', () => {
    const wrapper = mount(JobOutput, { props: { prompt: 'Once upon a time', text: ' there was a cat.', model: 'stories260K' } })
    expect(wrapper.get('[data-testid="prompt-text"]').text()).toBe('Once upon a time')
    expect(wrapper.get('[data-testid="generated-text"]').text()).toBe('there was a cat.')
    expect(wrapper.text()).toBe('Once upon a time there was a cat.')
    expect(wrapper.attributes('data-kind')).toBe('completion')
  })

  it('shows hostile text from a completion model as text', () => {
    const wrapper = mount(JobOutput, { props: { prompt: '<img src=x onerror=alert(1)>', text: hostile, model: 'stories260K' } })
    expectInert(wrapper.element)
    expect(wrapper.get('[data-testid="prompt-text"]').text()).toBe('<img src=x onerror=alert(1)>')
    expect(wrapper.get('[data-testid="generated-text"]').element.textContent).toBe(hostile)
  })

  it('renders a chat model\'s Markdown', () => {
    const wrapper = mount(JobOutput, {
      props: { model: 'qwen2.5:0.5b', text: '# Title\n\nSome **bold** and `code`.\n\n- one\n- two\n\n[docs](https://example.com)\n\n```js\nconst a = 1\n```' },
    })
    expect(wrapper.attributes('data-kind')).toBe('chat')
    expect(wrapper.get('h1').text()).toBe('Title')
    expect(wrapper.get('strong').text()).toBe('bold')
    expect(wrapper.findAll('li')).toHaveLength(2)
    expect(wrapper.get('pre code').text()).toBe('const a = 1')
    expect(wrapper.get('a').attributes('href')).toBe('https://example.com')
    expect(wrapper.get('a').attributes('rel')).toContain('noopener')
    expect(wrapper.text()).not.toContain('**')
  })

  it('shows hostile Markdown as inert text', () => {
    const wrapper = mount(JobOutput, { props: { model: 'qwen2.5:0.5b', text: hostile } })
    const root = wrapper.element
    expectInert(root)
    const shown = root.textContent ?? ''
    expect(shown).toContain('<img src=x onerror=alert(1)>')
    expect(shown).toContain('<script>alert(2)</script>')
    expect(shown).toContain('[click me](javascript:alert(3))')
    // No image is loaded: at most a plain link a person may choose to follow.
    expect(shown).toContain('!pixel')
    // The unclosed fence runs to the end as code, its markup as characters.
    expect(wrapper.get('pre code').text()).toContain('<b onclick="alert(7)">never closed')
  })

  it('renders streamed Markdown block by block without touching finished blocks', async () => {
    const wrapper = mount(JobOutput, { props: { model: 'qwen2.5:0.5b', text: '# Title\n\nFirst para' } })
    const heading = wrapper.get('h1').element
    const blocks = () => wrapper.findAll('.block').map((b) => b.element)
    const firstBlock = blocks()[0]
    const html = firstBlock.innerHTML

    await wrapper.setProps({ text: '# Title\n\nFirst paragraph, **still' })
    await wrapper.setProps({ text: '# Title\n\nFirst paragraph, **still open**.\n\n```py\nprint(1)' })
    expect(wrapper.get('h1').element).toBe(heading)
    expect(blocks()[0]).toBe(firstBlock)
    expect(firstBlock.innerHTML).toBe(html)
    expect(wrapper.get('strong').text()).toBe('still open')
    expect(wrapper.get('pre code').text()).toBe('print(1)')
    await wrapper.setProps({ text: '# Title\n\nFirst paragraph, **still open**.\n\n```py\nprint(1)\n\nprint(2)\n```\n\nEnd.' })
    expect(wrapper.findAll('pre')).toHaveLength(1)
    expect(wrapper.get('pre code').text()).toBe('print(1)\n\nprint(2)')
    expect(blocks()).toHaveLength(4)
  })

  it('shows an unknown model\'s text as plain text', () => {
    const wrapper = mount(JobOutput, { props: { text: '**not bold**' } })
    expect(wrapper.find('strong').exists()).toBe(false)
    expect(wrapper.get('[data-testid="generated-text"]').text()).toBe('**not bold**')
  })
})
