import { metrics } from '@opentelemetry/api'
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { registerInstrumentations } from '@opentelemetry/instrumentation'
import { DocumentLoadInstrumentation } from '@opentelemetry/instrumentation-document-load'
import { FetchInstrumentation } from '@opentelemetry/instrumentation-fetch'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics'
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { WebTracerProvider } from '@opentelemetry/sdk-trace-web'
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions'
import type { TelemetryConfig } from './config'

/**
 * Sends the page's spans and metrics over OTLP/HTTP (protobuf), the way the Aspire dashboard takes browser
 * telemetry: page load (document-load), the API calls (fetch, which also sends `traceparent` so the job's
 * trace starts in the browser), and the job-watching spans of useStreamTelemetry. Loaded only when an
 * endpoint is configured.
 */
export function startTelemetry(config: TelemetryConfig) {
  const resource = resourceFromAttributes({ ...config.resourceAttributes, [ATTR_SERVICE_NAME]: config.serviceName })
  const exporterOptions = (signal: string) => ({ url: `${config.endpoint}/v1/${signal}`, headers: config.headers })

  const tracerProvider = new WebTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter(exporterOptions('traces')), { scheduledDelayMillis: 1000 })],
  })
  tracerProvider.register()

  const meterProvider = new MeterProvider({
    resource,
    readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(exporterOptions('metrics')), exportIntervalMillis: 5000 })],
  })
  metrics.setGlobalMeterProvider(meterProvider)
  // A hidden tab may never come back: send what there is.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') void meterProvider.forceFlush().catch(() => undefined)
  })

  registerInstrumentations({
    instrumentations: [
      new DocumentLoadInstrumentation(),
      // Same-origin requests (the /api proxy) carry traceparent by default; the exporter's own calls are not traced.
      new FetchInstrumentation({ ignoreUrls: [new RegExp(`^${config.endpoint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)] }),
    ],
  })
  return { tracerProvider, meterProvider }
}
