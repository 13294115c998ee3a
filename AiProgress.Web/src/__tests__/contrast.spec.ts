import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { contrast, over, parseHex, type Rgb } from '../utils/contrast'

// The palette is read from styles.css itself, so a colour changed there is checked here (Vitest runs in
// the project folder).
const css = readFileSync(resolve(process.cwd(), 'src/styles.css'), 'utf8')

function variables(block: string): Record<string, string> {
  return Object.fromEntries([...block.matchAll(/--([\w-]+):\s*(#[0-9a-f]{3,6})\s*;/gi)].map((m) => [m[1], m[2]]))
}

const light = variables(css.slice(0, css.indexOf('@media (prefers-color-scheme: dark)')))
const darkBlock = css.slice(css.indexOf('@media (prefers-color-scheme: dark)'))
const dark = { ...light, ...variables(darkBlock.slice(0, darkBlock.indexOf('\n}\n'))) }

function pairs(palette: Record<string, string>) {
  const c = (name: string): Rgb => parseHex(palette[name] ?? (() => { throw new Error(`--${name} is missing`) })())
  const list: [string, Rgb, Rgb][] = []
  for (const ground of ['bg', 'surface', 'surface-2']) {
    list.push([`text on ${ground}`, c('text'), c(ground)], [`muted on ${ground}`, c('muted'), c(ground)])
  }
  list.push(
    ['prompt (dim) on surface-2', c('dim'), c('surface-2')],
    ['link on surface-2', c('link'), c('surface-2')],
    ['button text on accent', c('accent-text'), c('accent')],
    ['secondary button text on surface-2', c('text'), c('surface-2')],
    ['pressed toggle (accent) on surface-2', c('accent'), c('surface-2')],
    ['notice text on warn-bg', c('text'), c('warn-bg')],
  )
  // Tinted badges and alerts, on a card and on a selected list row.
  for (const ground of ['surface', 'surface-2']) {
    for (const [tone, alpha] of [['accent', 0.18], ['ok', 0.18], ['bad', 0.18], ['bad', 0.14]] as const) {
      list.push([`${tone}-strong on ${tone} ${Math.round(alpha * 100)}% over ${ground}`, c(`${tone}-strong`), over(c(tone), alpha, c(ground))])
    }
    list.push([`muted badge on surface-2 (${ground})`, c('muted'), c('surface-2')])
  }
  return list
}

describe.each([['light', light], ['dark', dark]])('the %s palette', (_name, palette) => {
  it.each(pairs(palette))('%s reaches WCAG AA (4.5:1)', (_pair, fg, bg) => {
    expect(contrast(fg, bg)).toBeGreaterThanOrEqual(4.5)
  })
})

describe('contrast', () => {
  it('matches the WCAG reference values', () => {
    expect(contrast(parseHex('#000'), parseHex('#fff'))).toBeCloseTo(21, 5)
    expect(contrast(parseHex('#777'), parseHex('#fff'))).toBeCloseTo(4.48, 2)
  })
})
