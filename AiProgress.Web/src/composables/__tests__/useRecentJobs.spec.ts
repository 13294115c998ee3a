import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { jobId, json, snapshot, stubFetch } from '../../test/http'
import { useRecentJobs } from '../useRecentJobs'

beforeEach(() => vi.useFakeTimers())
afterEach(() => vi.useRealTimers())

describe('useRecentJobs', () => {
  it('polls while a job is live and stops once all have ended', async () => {
    let status = 'processing'
    const fetch = stubFetch(() => json({ items: [snapshot({ status })] }))
    const scope = effectScope()
    const recent = scope.run(() => useRecentJobs({ liveInterval: 1000 }))!
    await recent.refresh()
    expect(recent.jobs.value.map((j) => j.job_id)).toEqual([jobId])
    await vi.advanceTimersByTimeAsync(1000)
    expect(fetch).toHaveBeenCalledTimes(2)
    status = 'completed'
    await vi.advanceTimersByTimeAsync(1000)
    expect(fetch).toHaveBeenCalledTimes(3)
    expect(recent.jobs.value[0].status).toBe('completed')
    await vi.advanceTimersByTimeAsync(10_000)
    expect(fetch).toHaveBeenCalledTimes(3)
    scope.stop()
  })

  it('does not poll for the job a live view follows', async () => {
    const fetch = stubFetch(() => json({ items: [snapshot({ status: 'processing' })] }))
    const scope = effectScope()
    const recent = scope.run(() => useRecentJobs({ liveInterval: 1000, watched: () => jobId }))!
    await recent.refresh()
    await vi.advanceTimersByTimeAsync(5000)
    expect(fetch).toHaveBeenCalledTimes(1)
    scope.stop()
  })

  it('stops polling when its scope is disposed', async () => {
    const fetch = stubFetch(() => json({ items: [snapshot()] }))
    const scope = effectScope()
    const recent = scope.run(() => useRecentJobs({ liveInterval: 1000 }))!
    await recent.refresh()
    scope.stop()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(fetch).toHaveBeenCalledTimes(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('exposes a failed load', async () => {
    stubFetch(() => json({ title: 'Service unavailable' }, 503))
    const scope = effectScope()
    const recent = scope.run(() => useRecentJobs())!
    await recent.refresh()
    expect(recent.error.value).toBe('Service unavailable')
    scope.stop()
  })
})
