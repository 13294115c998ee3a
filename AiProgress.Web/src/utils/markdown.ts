import DOMPurify from 'dompurify'
import MarkdownIt from 'markdown-it'

// Raw HTML off, no images (a model's output must not make the browser fetch anything), and markdown-it's
// own link check (no javascript:, vbscript:, file: or non-image data: URLs). DOMPurify then cleans the
// result again, so a parser bug alone cannot put live markup on the page.
const md = new MarkdownIt({ html: false, linkify: false, typographer: false }).disable(['image'])

const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, i, options, _env, self) => self.renderToken(tokens, i, options))
md.renderer.rules.link_open = (tokens, i, options, env, self) => {
  tokens[i].attrSet('rel', 'noopener noreferrer nofollow')
  return defaultLinkOpen(tokens, i, options, env, self)
}

export function renderMarkdown(source: string): string {
  return DOMPurify.sanitize(md.render(source), { USE_PROFILES: { html: true }, FORBID_TAGS: ['img', 'style', 'form'] })
}

const fence = /^ {0,3}(`{3,}|~{3,})/

/**
 * Splits Markdown into top-level blocks at blank lines outside code fences. Every block but the last is
 * finished (more text cannot change how it renders, save rare cases such as a loose list), so while the
 * text streams only the last one needs rendering again.
 */
export function splitBlocks(text: string): string[] {
  const blocks: string[] = []
  let current: string[] = []
  let open: string | null = null
  for (const line of text.split('\n')) {
    const marker = fence.exec(line)?.[1]
    if (open === null && marker) open = marker
    else if (open !== null && marker && marker[0] === open[0] && marker.length >= open.length && !line.trim().slice(marker.length).trim()) open = null
    if (open === null && !line.trim()) {
      if (current.length) blocks.push(current.join('\n'))
      current = []
      continue
    }
    current.push(line)
  }
  blocks.push(current.join('\n'))
  return blocks
}
