import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, deleteJob, getModels, listJobs, resetIdentityForTests } from '../client'

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

describe('api client delete and refusals', () => {
  afterEach(() => resetIdentityForTests())

  it('deletes a job with DELETE and accepts the empty 204', async () => {
    const fetchSpy = vi.fn().mockResolvedValue(new Response(null, { status: 204 }))
    vi.stubGlobal('fetch', fetchSpy)

    await expect(deleteJob('3f2b8c4e-1d2a-4c6b-9f0e-2a7d5b9c1e34')).resolves.toBeUndefined()
    expect(fetchSpy.mock.calls[0][0]).toBe('/api/v1/ai/generation/3f2b8c4e-1d2a-4c6b-9f0e-2a7d5b9c1e34')
    expect(fetchSpy.mock.calls[0][1]).toMatchObject({ method: 'DELETE', credentials: 'same-origin' })
  })

  it('reports a 429 with its Retry-After, as for too many new identities from one address', async () => {
    const problem = { title: 'Too many requests', status: 429, detail: 'Too many new client identities from this address.' }
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(new Response(JSON.stringify(problem), {
      status: 429,
      headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '60' },
    })))

    const error = await listJobs().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).retryAfter).toBe(60)
    expect((error as ApiError).message).toContain('new client identities')
  })
})
