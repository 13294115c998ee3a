import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { mergeText } from '../textBuffer'

interface MergeCase {
  name: string
  current: string
  offset: number
  delta: string
  text: string
  gap: boolean
}

// The same cases drive the server's TextMerge tests, so the page and the API follow one rule.
const casesFile = resolve(process.cwd(), '../AiProgress.Jobs/Events/text-merge-cases.json')
const cases = JSON.parse(readFileSync(casesFile, 'utf8')) as MergeCase[]

describe('mergeText follows the contract rule shared with the server', () => {
  it('has cases to check', () => expect(cases.length).toBeGreaterThan(5))

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    expect(mergeText(c.current, { offset: c.offset, delta: c.delta })).toEqual({ text: c.text, gap: c.gap })
  })
})
