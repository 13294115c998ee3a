import type { CompletionData, ErrorData, JobSnapshot } from './types'

/** The SSE terminal event equivalent to a finished job's REST snapshot. */
export function terminalEventOf(job: JobSnapshot):
  | { type: 'complete'; data: CompletionData }
  | { type: 'error'; data: ErrorData }
  | null {
  switch (job.status) {
    case 'completed':
      return {
        type: 'complete',
        data: {
          status: 'completed',
          total_tokens: job.total_tokens ?? 0,
          prompt_tokens: job.prompt_tokens ?? 0,
          completion_tokens: job.completion_tokens ?? job.current_tokens,
          tokens_per_second: job.tokens_per_second,
          elapsed_time: job.elapsed_time,
        },
      }
    case 'failed':
      return { type: 'error', data: { status: 'failed', error: job.error_message ?? 'failed' } }
    case 'cancelled':
      return { type: 'error', data: { status: 'cancelled', error: 'cancelled' } }
    default:
      return null
  }
}
