import { describe, expect, it } from 'vitest'
import { canonicalModelName, sameModel } from '../modelName'

describe('model names follow Ollama’s rule', () => {
  it('drops only the latest tag', () => {
    expect(canonicalModelName('stories260K:latest')).toBe('stories260K')
    expect(canonicalModelName('qwen2.5:0.5b')).toBe('qwen2.5:0.5b')
  })

  it('treats a name and its latest tag, in any case, as one model', () => {
    expect(sameModel('stories260K', 'stories260k:LATEST')).toBe(true)
    expect(sameModel('qwen2.5:0.5b', 'qwen2.5')).toBe(false)
  })
})
