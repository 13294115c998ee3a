import { describe, expect, it } from 'vitest'
import { modelKind } from '../modelKind'
import { splitBlocks } from '../markdown'

describe('modelKind', () => {
  it('tells completion models from chat models by name', () => {
    expect(modelKind('stories260K')).toBe('completion')
    expect(modelKind('stories15M:latest')).toBe('completion')
    expect(modelKind('llama2:text')).toBe('completion')
    expect(modelKind('qwen2.5-base')).toBe('completion')
    expect(modelKind('qwen2.5:0.5b')).toBe('chat')
    expect(modelKind('llama3.2:1b')).toBe('chat')
    expect(modelKind('textbook-chat')).toBe('chat')
    expect(modelKind(null)).toBe('completion')
  })
})

describe('splitBlocks', () => {
  it('splits at blank lines outside code fences', () => {
    expect(splitBlocks('a\n\nb')).toEqual(['a', 'b'])
    expect(splitBlocks('a\n\n')).toEqual(['a', ''])
    expect(splitBlocks('```\nx\n\ny\n```\n\nz')).toEqual(['```\nx\n\ny\n```', 'z'])
    expect(splitBlocks('~~~\nopen\n\n```\nstill open')).toEqual(['~~~\nopen\n\n```\nstill open'])
  })
})
