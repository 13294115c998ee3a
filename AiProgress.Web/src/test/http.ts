import { vi } from 'vitest'

export type Handler = (url: string, init: RequestInit) => Response | Promise<Response>

/** Replaces fetch with a spy that answers through `handler`. */
export function stubFetch(handler: Handler) {
  const spy = vi.fn(async (input: RequestInfo | URL, init: RequestInit) => handler(String(input), init ?? {}))
  vi.stubGlobal('fetch', spy)
  return spy
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } })

export const problem = (status: number, body: Record<string, unknown>) =>
  json({ status, ...body }, status, { 'Content-Type': 'application/problem+json' })

export const jobId = '3f2b8c4e-1d2a-4c6b-9f0e-2a7d5b9c1e34'

export const progressEvent = (over: Record<string, unknown> = {}) => ({
  status: 'processing',
  progress: 45,
  current_tokens: 230,
  tokens_per_second: 14.2,
  elapsed_time: 16200,
  estimated_remaining: 20000,
  timestamp: 1730491234,
  ...over,
})

export const snapshot = (over: Record<string, unknown> = {}) => ({
  job_id: jobId,
  status: 'processing',
  model: 'stories260K',
  progress_percentage: 10,
  current_tokens: 20,
  tokens_per_second: 5,
  elapsed_time: 4000,
  estimated_time_remaining: 30000,
  queue_position: null,
  prompt_tokens: null,
  completion_tokens: null,
  total_tokens: null,
  created_at: '2026-01-01T10:00:00Z',
  started_at: '2026-01-01T10:00:01Z',
  completed_at: null,
  last_update_at: '2026-01-01T10:00:05Z',
  error_message: null,
  ...over,
})
