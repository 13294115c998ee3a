import { describe, expect, it } from 'vitest'
import { effectScope, shallowRef } from 'vue'
import { jobTitle, useJobTitle } from '../useJobTitle'

describe('useJobTitle', () => {
  it('names each state', () => {
    expect(jobTitle('queued', 0)).toBe('Queued · AiProgress')
    expect(jobTitle('processing', 41.6)).toBe('42 % · AiProgress')
    expect(jobTitle('completed', 100)).toBe('✓ Done · AiProgress')
    expect(jobTitle('failed', 10)).toBe('✗ Failed · AiProgress')
    expect(jobTitle('cancelled', 10)).toBe('Cancelled · AiProgress')
    expect(jobTitle('connecting', 0)).toBe('AiProgress')
  })

  it('follows the live state and gives the title back when its scope ends', async () => {
    const state = shallowRef('processing')
    const progress = shallowRef(5)
    const scope = effectScope()
    scope.run(() => useJobTitle(state, progress))
    expect(document.title).toBe('5 % · AiProgress')
    progress.value = 42
    await Promise.resolve()
    expect(document.title).toBe('42 % · AiProgress')
    state.value = 'completed'
    await Promise.resolve()
    expect(document.title).toBe('✓ Done · AiProgress')
    scope.stop()
    expect(document.title).toBe('AiProgress')
  })
})
