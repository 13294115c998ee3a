import { describe, expect, it } from 'vitest'
import { contentSecurityPolicy, pageHeaders } from '../securityHeaders'

const directive = (csp: string, name: string) =>
  csp.split('; ').find((d) => d.startsWith(name + ' '))?.split(' ').slice(1) ?? []

describe('page security headers', () => {
  it('let the page reach its own origin (fetch, EventSource via the /api proxy) and Vite HMR, and nothing else', () => {
    const csp = contentSecurityPolicy({ port: 5173 })

    expect(directive(csp, 'connect-src')).toEqual(["'self'", 'ws://localhost:5173', 'ws://127.0.0.1:5173'])
    expect(directive(csp, 'script-src')).toEqual(["'self'"])
    expect(directive(csp, 'object-src')).toEqual(["'none'"])
    expect(directive(csp, 'frame-ancestors')).toEqual(["'none'"])
    expect(directive(csp, 'img-src')).toContain('data:')
  })

  it('add an OTLP endpoint origin and configured sources to connect-src', () => {
    const csp = contentSecurityPolicy({
      port: 5173,
      otlpEndpoint: 'http://localhost:4318/v1/traces',
      extraConnectSrc: 'https://collector.example  https://other.example',
    })

    expect(directive(csp, 'connect-src')).toEqual(expect.arrayContaining(['http://localhost:4318', 'https://collector.example', 'https://other.example']))
  })

  it('ignore a configured source that would open another directive', () => {
    const csp = contentSecurityPolicy({ port: 5173, extraConnectSrc: "https://ok.example x;script-src 'unsafe-inline'" })

    expect(directive(csp, 'connect-src')).toEqual(["'self'", 'ws://localhost:5173', 'ws://127.0.0.1:5173', 'https://ok.example'])
    expect(csp.split('; ').filter((d) => d.startsWith('script-src'))).toEqual(["script-src 'self'"])
  })

  it('set a Referrer-Policy and nosniff beside the CSP', () => {
    const headers = pageHeaders({ port: 4173 })

    expect(headers['Referrer-Policy']).toBe('no-referrer')
    expect(headers['X-Content-Type-Options']).toBe('nosniff')
    expect(headers['Content-Security-Policy']).toContain('ws://localhost:4173')
  })
})
