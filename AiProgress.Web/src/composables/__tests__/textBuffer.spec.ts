import { describe, expect, it } from 'vitest'
import { mergeText } from '../textBuffer'

describe('mergeText', () => {
  it('appends a delta that starts at the end', () => {
    expect(mergeText('Once', { offset: 4, delta: ' upon' })).toEqual({ text: 'Once upon', gap: false })
  })

  it('ignores an exact replay', () => {
    expect(mergeText('Once upon', { offset: 4, delta: ' upon' }).text).toBe('Once upon')
  })

  it('keeps only the new part of an overlapping delta', () => {
    expect(mergeText('Once up', { offset: 4, delta: ' upon a' }).text).toBe('Once upon a')
  })

  it('takes a whole-text snapshot at offset 0 without doubling', () => {
    expect(mergeText('Once upon', { offset: 0, delta: 'Once upon a time' }).text).toBe('Once upon a time')
  })

  it('reports a gap and leaves the text alone', () => {
    expect(mergeText('Once', { offset: 10, delta: 'time' })).toEqual({ text: 'Once', gap: true })
  })

  it('clears the text on reset', () => {
    expect(mergeText('old attempt', { offset: 0, delta: '', reset: true }).text).toBe('')
    expect(mergeText('old attempt', { offset: 0, delta: 'New', reset: true }).text).toBe('New')
  })

  it('lets the server win where the overlap disagrees (a missed reset)', () => {
    expect(mergeText('old attempt text', { offset: 0, delta: 'Fresh' }).text).toBe('Fresh')
  })
})
