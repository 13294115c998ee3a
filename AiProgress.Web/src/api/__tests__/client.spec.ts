import { afterEach, describe, expect, it, vi } from 'vitest'
import { getModels, listJobs, resetIdentityForTests } from '../client'

function jsonResponse(body: unknown) {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
}

describe('api client identity', () => {
  afterEach(() => resetIdentityForTests())

  it('sends the first request alone so a new browser gets one identity cookie', async () => {
    let answerFirst!: (response: Response) => void
    const fetchSpy = vi
      .fn()
      .mockImplementationOnce(() => new Promise<Response>((resolve) => (answerFirst = resolve)))
      .mockImplementation(() => Promise.resolve(jsonResponse({ items: [] })))
    vi.stubGlobal('fetch', fetchSpy)

    const models = getModels()
    const list = listJobs()
    await Promise.resolve()
    expect(fetchSpy).toHaveBeenCalledTimes(1)

    answerFirst(jsonResponse({ default_model: 'm', models: [] }))
    await Promise.all([models, list])
    expect(fetchSpy).toHaveBeenCalledTimes(2)
    expect(fetchSpy.mock.calls[1][0]).toContain('/generation')
  })

  it('does not hold later requests hostage to a failed first one', async () => {
    const fetchSpy = vi
      .fn()
      .mockImplementationOnce(() => Promise.reject(new TypeError('network down')))
      .mockImplementation(() => Promise.resolve(jsonResponse({ items: [] })))
    vi.stubGlobal('fetch', fetchSpy)

    await expect(getModels()).rejects.toThrow('network down')
    await expect(listJobs()).resolves.toEqual({ items: [] })
  })
})
