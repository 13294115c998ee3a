import { describe, expect, it } from 'vitest'
import { about, ordinal, timeLeft, waiting } from '../phaseWords'

describe('phase words', () => {
  it('writes places in line as ordinals', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 103].map(ordinal)).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '103rd'])
  })

  it('rounds waits the way a person says them', () => {
    expect(about(400)).toBe('a moment')
    expect(about(19_600)).toBe('about 20 s')
    expect(about(150_000)).toBe('about 3 min')
  })

  it('gives a band as a range and a narrow one as one figure', () => {
    expect(timeLeft(10_000, { low: 8_000, high: 12_000 })).toBe('about 8–12 s left')
    expect(timeLeft(10_000, { low: 9_800, high: 10_200 })).toBe('about 10 s left')
    expect(timeLeft(null, null)).toBeNull()
  })

  it('says where a queued job stands and when it should start', () => {
    expect(waiting(3, 20_000)).toBe('Waiting — 3rd in line, starts in about 20 s')
    expect(waiting(1, null)).toBe('Waiting — 1st in line')
    expect(waiting(null, null)).toBe('Waiting')
  })
})
