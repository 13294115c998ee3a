import { getCurrentScope, onScopeDispose, shallowRef } from 'vue'

const param = 'job'

const read = () => new URLSearchParams(window.location.search).get(param) || null

/** The job shown, kept in `?job=<id>` so a reload or a shared link comes back to its live view. */
export function useJobUrl() {
  const jobId = shallowRef<string | null>(read())

  function select(id: string | null) {
    if (id === jobId.value) return
    jobId.value = id
    const url = new URL(window.location.href)
    if (id) url.searchParams.set(param, id)
    else url.searchParams.delete(param)
    window.history.pushState(null, '', url)
  }

  const onPopState = () => (jobId.value = read())
  window.addEventListener('popstate', onPopState)
  if (getCurrentScope()) onScopeDispose(() => window.removeEventListener('popstate', onPopState))

  return { jobId, select }
}
