import { shallowRef } from 'vue'
import type { JobPhase, ProgressData, StalledReason } from '../api/types'

/**
 * The contract's v1.1 phase of a running job, from its progress events: what is happening now, why it is
 * stalled, and when a queued job should start. A stalled job's numbers are the last ones seen, not live.
 */
export function useJobPhase() {
  const phase = shallowRef<JobPhase | null>(null)
  const stalledReason = shallowRef<StalledReason | null>(null)
  const estimatedStart = shallowRef<number | null>(null)
  const reportedAt = shallowRef(0)

  function apply(data: ProgressData) {
    phase.value = data.phase ?? (data.status === 'queued' ? 'queued' : data.current_tokens > 0 ? 'generating' : 'reading_prompt')
    stalledReason.value = phase.value === 'stalled' ? (data.stalled_reason ?? null) : null
    estimatedStart.value = data.status === 'queued' ? (data.estimated_start ?? null) : null
    reportedAt.value = Date.now()
  }

  function clear() {
    phase.value = stalledReason.value = estimatedStart.value = null
  }

  return { phase, stalledReason, estimatedStart, apply, clear }
}
