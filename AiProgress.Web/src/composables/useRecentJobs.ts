import { getCurrentScope, onScopeDispose, shallowRef, toValue, type MaybeRefOrGetter } from 'vue'
import { listJobs } from '../api/client'
import { isTerminal, type JobSnapshot } from '../api/types'

export interface UseRecentJobsOptions {
  limit?: number
  /** Poll interval while some job is still queued or processing, ms. */
  liveInterval?: number
  /** The job a live view follows: the list takes its numbers from there, so it alone is no reason to poll. */
  watched?: MaybeRefOrGetter<string | null | undefined>
}

/**
 * The client's recent jobs. Polled only while one of them is live and not the one being watched (whose
 * numbers come from its live view): a progress stream per list item would use up the client's stream
 * allowance in the API.
 */
export function useRecentJobs(options: UseRecentJobsOptions = {}) {
  const { limit = 20, liveInterval = 2000 } = options
  const jobs = shallowRef<JobSnapshot[]>([])
  const error = shallowRef<string | null>(null)
  const loading = shallowRef(false)
  let timer: ReturnType<typeof setTimeout> | undefined
  let disposed = false

  async function refresh() {
    clearTimeout(timer)
    loading.value = true
    try {
      jobs.value = (await listJobs({ limit })).items
      error.value = null
    } catch (cause) {
      error.value = cause instanceof Error ? cause.message : 'Could not load recent jobs'
    } finally {
      loading.value = false
    }
    if (!disposed && (error.value || jobs.value.some((job) => !isTerminal(job.status) && job.job_id !== toValue(options.watched)))) {
      timer = setTimeout(refresh, error.value ? liveInterval * 5 : liveInterval)
    }
  }

  function stop() {
    disposed = true
    clearTimeout(timer)
  }

  if (getCurrentScope()) onScopeDispose(stop)

  return { jobs, error, loading, refresh, stop }
}
