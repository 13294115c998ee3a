/**
 * Ollama's naming rule, as the services apply it (AiProgress.ServiceDefaults/ModelName.cs): a name without a
 * tag means `:latest`, and names compare without regard to case.
 */
const latestTag = ':latest'

export function canonicalModelName(name: string): string {
  const trimmed = name.trim()
  return trimmed.toLowerCase().endsWith(latestTag) ? trimmed.slice(0, -latestTag.length) : trimmed
}

export function sameModel(a: string, b: string): boolean {
  return canonicalModelName(a).toLowerCase() === canonicalModelName(b).toLowerCase()
}
