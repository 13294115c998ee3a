import type { CreateJobRequest, CreatedJob, JobList, JobSnapshot, JobStatus, ModelsResponse, ProblemDetails } from './types'

export const apiBase = '/api/v1/ai'

export const progressUrl = (jobId: string) => `${apiBase}/generation/${encodeURIComponent(jobId)}/progress`

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: ProblemDetails,
    readonly retryAfter: number | null = null,
  ) {
    super(describeProblem(status, problem))
    this.name = 'ApiError'
  }
}

function describeProblem(status: number, problem: ProblemDetails) {
  const fields = Object.values(problem.errors ?? {}).flat()
  if (fields.length) return fields.join(' ')
  return problem.detail || problem.title || `Request failed (HTTP ${status})`
}

// A new browser has no identity cookie yet, and the API issues one (signed, HttpOnly; __Host- prefixed and
// Secure over HTTPS) per cookieless request: requests sent side by side would get different identities,
// the last cookie would win, and each would count against the per-address limit on new identities. So
// the very first request goes alone, and the rest wait until its cookie is set.
let identitySettled: Promise<unknown> | null = null

function fetchWithIdentity(url: string, init: RequestInit) {
  if (identitySettled) return identitySettled.then(() => fetch(url, init))
  const first = fetch(url, init)
  identitySettled = first.catch(() => undefined)
  return first
}

/** Test hook: forget the first request, as a fresh page would. */
export function resetIdentityForTests() {
  identitySettled = null
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetchWithIdentity(apiBase + path, {
    credentials: 'same-origin',
    ...init,
    headers: { Accept: 'application/json', ...(init?.body ? { 'Content-Type': 'application/json' } : {}) },
  })
  if (!response.ok) {
    const problem = (await response.json().catch(() => ({}))) as ProblemDetails
    const retryAfter = Number(response.headers.get('Retry-After')) || null
    throw new ApiError(response.status, problem, retryAfter)
  }
  // 202 from cancel and 204 from delete have no body.
  const text = await response.text()
  return (text ? JSON.parse(text) : undefined) as T
}

export const createJob = (body: CreateJobRequest) =>
  request<CreatedJob>('/generation', { method: 'POST', body: JSON.stringify(body) })

export const cancelJob = (jobId: string) =>
  request<void>(`/generation/${encodeURIComponent(jobId)}/cancel`, { method: 'POST' })

/** Deletes the job for good (prompt, text and live events); a running one is cancelled first. */
export const deleteJob = (jobId: string) =>
  request<void>(`/generation/${encodeURIComponent(jobId)}`, { method: 'DELETE' })

export const getJob = (jobId: string) => request<JobSnapshot>(`/generation/${encodeURIComponent(jobId)}/status`)

export function listJobs(options: { status?: JobStatus; limit?: number } = {}) {
  const query = new URLSearchParams()
  if (options.status) query.set('status', options.status)
  if (options.limit) query.set('limit', String(options.limit))
  const suffix = query.size ? `?${query}` : ''
  return request<JobList>(`/generation${suffix}`)
}

export const getModels = () => request<ModelsResponse>('/models')
