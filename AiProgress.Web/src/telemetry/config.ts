/**
 * Where the page sends its telemetry. The AppHost gives the Vite process the dashboard's OTLP/HTTP endpoint
 * as VITE_OTEL_* variables (Vite exposes VITE_-prefixed variables to the page); without an endpoint the
 * page sends nothing and every span and measurement is a no-op.
 */
export interface TelemetryConfig {
  /** Base URL of an OTLP/HTTP receiver, e.g. http://localhost:19081 (the exporters add /v1/traces, /v1/metrics). */
  endpoint: string
  headers: Record<string, string>
  serviceName: string
  resourceAttributes: Record<string, string>
}

/** `key=value,key2=value2`, as in OTEL_EXPORTER_OTLP_HEADERS and OTEL_RESOURCE_ATTRIBUTES. */
export function parsePairs(text: string | undefined): Record<string, string> {
  const pairs: Record<string, string> = {}
  for (const part of (text ?? '').split(',')) {
    const at = part.indexOf('=')
    if (at > 0) pairs[decodeURIComponent(part.slice(0, at).trim())] = decodeURIComponent(part.slice(at + 1).trim())
  }
  return pairs
}

export function telemetryConfig(env: Record<string, string | undefined> = import.meta.env): TelemetryConfig | null {
  const endpoint = env.VITE_OTEL_EXPORTER_OTLP_ENDPOINT?.trim()
  if (!endpoint) return null
  return {
    endpoint: endpoint.replace(/\/+$/, ''),
    headers: parsePairs(env.VITE_OTEL_EXPORTER_OTLP_HEADERS),
    serviceName: env.VITE_OTEL_SERVICE_NAME?.trim() || 'web',
    resourceAttributes: parsePairs(env.VITE_OTEL_RESOURCE_ATTRIBUTES),
  }
}
