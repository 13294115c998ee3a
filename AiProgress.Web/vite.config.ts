/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import { pageHeaders } from './server/securityHeaders'

// Aspire's WithReference(api) injects the API address as a service-discovery variable.
const apiUrl = process.env.services__api__http__0 || process.env.API_URL || 'http://localhost:5080'
const port = Number(process.env.PORT) || 5173
const host = process.env.HOST || '127.0.0.1'
const headers = pageHeaders({
  port,
  extraConnectSrc: process.env.WEB_CSP_CONNECT_SRC,
  otlpEndpoint: process.env.WEB_OTLP_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT,
})

export default defineConfig({
  plugins: [vue()],
  server: {
    host,
    port,
    strictPort: true,
    headers,
    proxy: {
      '/api': {
        target: apiUrl,
        changeOrigin: true,
        xfwd: true,
        // SSE needs nothing more: http-proxy-3 pipes the response unbuffered (the API sends no
        // compression) and destroys the upstream request when the browser closes its EventSource.
      },
    },
  },
  preview: { host, port, strictPort: true, headers },
  test: {
    environment: 'jsdom',
    include: ['src/**/__tests__/**/*.spec.ts', 'server/__tests__/**/*.spec.ts'],
    restoreMocks: true,
    unstubGlobals: true,
  },
})
