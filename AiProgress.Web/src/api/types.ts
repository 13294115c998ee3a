// JSON shapes of the HTTP contract (docs/CONTRACT.md); snake_case as the API sends them.

export type JobStatus = 'queued' | 'processing' | 'completed' | 'failed' | 'cancelled'

export const terminalStatuses: readonly JobStatus[] = ['completed', 'failed', 'cancelled']
export const isTerminal = (status: JobStatus | null | undefined) => !!status && terminalStatuses.includes(status)

export interface CreateJobRequest {
  prompt: string
  model?: string
  max_tokens?: number
  system?: string
  temperature?: number
}

export interface CreatedJob {
  job_id: string
  status: JobStatus
  queue_position: number
  status_url: string
  progress_url: string
  /** W3C traceparent of the job's trace (optional: older APIs do not send it). */
  traceparent?: string
}

export interface JobSnapshot {
  job_id: string
  status: JobStatus
  model: string
  progress_percentage: number
  current_tokens: number
  tokens_per_second: number
  elapsed_time: number
  estimated_time_remaining: number | null
  queue_position: number | null
  prompt_tokens: number | null
  completion_tokens: number | null
  total_tokens: number | null
  created_at: string
  started_at: string | null
  completed_at: string | null
  last_update_at: string | null
  error_message: string | null
  text?: string | null
}

/** The numbers a live view has for a job, newer than any list snapshot. */
export type LiveJob = Pick<JobSnapshot, 'job_id' | 'status' | 'progress_percentage' | 'current_tokens'>

export interface JobList {
  items: JobSnapshot[]
}

export interface ModelInfo {
  name: string
  size: number
  family: string | null
  parameter_size: string | null
  quantization_level: string | null
  modified_at: string
}

export interface ModelsResponse {
  default_model: string
  models: ModelInfo[]
}

// SSE event payloads.

export interface ProgressData {
  status: 'queued' | 'processing'
  progress: number
  current_tokens: number
  tokens_per_second: number
  elapsed_time: number
  estimated_remaining: number | null
  timestamp: number
  attempt?: number
  queue_position?: number
  /** v1.1: what is happening now, and why a job is stalled. */
  phase?: JobPhase
  stalled_reason?: StalledReason
  /** v1.1: while queued, ms until processing should begin (measured drain rate). */
  estimated_start?: number
  /** v1.1: the predicted whole length, and a band around estimated_remaining. */
  expected_tokens?: number
  estimated_remaining_low?: number
  estimated_remaining_high?: number
}

export type JobPhase = 'queued' | 'loading_model' | 'reading_prompt' | 'generating' | 'stalled'
export type StalledReason = 'worker_lost' | 'llm_unavailable' | 'retrying'

export interface TextData {
  offset: number
  delta: string
  reset?: boolean
}

export interface CompletionData {
  status: 'completed'
  total_tokens: number
  prompt_tokens: number
  completion_tokens: number
  tokens_per_second: number
  elapsed_time: number
}

export interface ErrorData {
  status: 'failed' | 'cancelled' | 'processing'
  error: string
}

/** RFC 9457 problem details, with `errors` per field on validation failures. */
export interface ProblemDetails {
  type?: string
  title?: string
  status?: number
  detail?: string
  errors?: Record<string, string[]>
}
