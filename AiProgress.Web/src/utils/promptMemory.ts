// The list endpoint does not return prompts; this browser remembers the ones it sent, for labels only.
const key = 'aiprogress.prompts'
const limit = 50

function read(): Record<string, string> {
  try {
    return JSON.parse(localStorage.getItem(key) ?? '{}') as Record<string, string>
  } catch {
    return {}
  }
}

export function rememberPrompt(jobId: string, prompt: string) {
  const entries = Object.entries({ ...read(), [jobId]: prompt.slice(0, 200) }).slice(-limit)
  try {
    localStorage.setItem(key, JSON.stringify(Object.fromEntries(entries)))
  } catch {
    // Storage full or disabled: labels fall back to the model name.
  }
}

export const recallPrompt = (jobId: string): string | undefined => read()[jobId]
