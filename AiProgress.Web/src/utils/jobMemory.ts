import type { CreateJobRequest } from '../api/types'

// The API returns no prompts in its lists; this browser remembers what it asked, for labels, for showing
// a completion model's prompt before its text, for "generate again", and for the job's trace context.
const key = 'aiprogress.jobs'
const limit = 30

export interface RememberedJob {
  request: CreateJobRequest
  /** W3C traceparent of the request that created the job, when the API sent it. */
  traceparent?: string
}

function read(): Record<string, RememberedJob> {
  try {
    const entries = JSON.parse(localStorage.getItem(key) ?? '{}') as Record<string, RememberedJob>
    return typeof entries === 'object' && entries ? entries : {}
  } catch {
    return {}
  }
}

export function rememberJob(jobId: string, request: CreateJobRequest, traceparent?: string | null) {
  const job: RememberedJob = traceparent ? { request, traceparent } : { request }
  const entries = Object.entries({ ...read(), [jobId]: job }).slice(-limit)
  try {
    localStorage.setItem(key, JSON.stringify(Object.fromEntries(entries)))
  } catch {
    // Storage full or disabled: labels fall back to the job id, and "generate again" is not offered.
  }
}

export function recallJob(jobId: string | null | undefined): RememberedJob | undefined {
  const job = jobId ? read()[jobId] : undefined
  return typeof job?.request?.prompt === 'string' ? job : undefined
}

export const recallPrompt = (jobId: string): string | undefined => recallJob(jobId)?.request.prompt.slice(0, 200)
