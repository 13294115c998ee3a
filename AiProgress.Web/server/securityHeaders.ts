// Headers for the page the Vite server hands out (dev and preview). The API sets its own.
// connect-src: the page's own origin covers fetch and EventSource (the API is proxied under /api) and
// Vite's HMR socket; anything else it must reach (a browser OTLP endpoint, say) comes from the environment.

export interface PageHeaderOptions {
  /** Where the Vite server listens, for the HMR WebSocket. */
  port: number
  /** Extra connect-src sources, space separated (WEB_CSP_CONNECT_SRC). */
  extraConnectSrc?: string
  /** An OTLP endpoint the page may export to (OTEL_EXPORTER_OTLP_ENDPOINT); its origin is allowed. */
  otlpEndpoint?: string
}

function originOf(url: string | undefined): string | null {
  if (!url) return null
  try {
    return new URL(url).origin
  } catch {
    return null
  }
}

export function contentSecurityPolicy({ port, extraConnectSrc, otlpEndpoint }: PageHeaderOptions): string {
  const connect = ["'self'", `ws://localhost:${port}`, `ws://127.0.0.1:${port}`]
  const otlp = originOf(otlpEndpoint)
  if (otlp) connect.push(otlp)
  for (const source of (extraConnectSrc ?? '').split(/\s+/)) {
    // A source is one token: no quotes, semicolons or commas that could open another directive.
    if (source && /^[a-z0-9*:/._-]+$/i.test(source)) connect.push(source)
  }
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Vite injects component styles as <style> elements.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${[...new Set(connect)].join(' ')}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ')
}

export function pageHeaders(options: PageHeaderOptions): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(options),
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
  }
}
