import { metrics, trace } from '@opentelemetry/api'
import { MeterProvider, MetricReader, type HistogramMetricData } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import AIGenerationProgress from '../../components/AIGenerationProgress.vue'
import { FakeEventSource, useFakeEventSourceAndTimers } from '../../test/FakeEventSource'
import { jobId, progressEvent } from '../../test/http'
import { telemetryConfig } from '../config'

class TestReader extends MetricReader {
  protected override async onForceFlush() {}
  protected override async onShutdown() {}
}

const traceId = '0af7651916cd43dd8448eb211c80319c'
const createSpanId = 'b7ad6b7169203331'
const traceparent = `00-${traceId}-${createSpanId}-01`

useFakeEventSourceAndTimers()

let spans: InMemorySpanExporter
let reader: TestReader

beforeEach(() => {
  spans = new InMemorySpanExporter()
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }))
  reader = new TestReader()
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }))
})

afterEach(() => {
  trace.disable()
  metrics.disable()
})

describe('browser telemetry', () => {
  it('puts connect, first event and render spans into the job\'s trace, and measures event to render', async () => {
    vi.setSystemTime(new Date('2026-01-01T10:00:00.300Z'))
    const wrapper = mount(AIGenerationProgress, { props: { jobId, traceparent } })
    const es = FakeEventSource.latest
    es.open()
    es.emit('progress', progressEvent({ timestamp: Date.parse('2026-01-01T09:59:00Z') / 1000 }))
    es.emit('progress', progressEvent({ timestamp: Date.parse('2026-01-01T10:00:00Z') / 1000 }))
    es.emit('text', { offset: 0, delta: 'Once' })
    await vi.advanceTimersByTimeAsync(50)
    es.emit('complete', { status: 'completed', total_tokens: 9, prompt_tokens: 4, completion_tokens: 5, tokens_per_second: 9, elapsed_time: 500 })
    await vi.advanceTimersByTimeAsync(50)

    const finished = spans.getFinishedSpans()
    const byName = (name: string) => finished.find((s) => s.name === name)
    const watch = byName('watch job')!
    expect(finished.map((s) => s.name).sort()).toEqual(['first event', 'render complete', 'render progress', 'render text', 'sse connect', 'watch job'])
    expect(finished.every((s) => s.spanContext().traceId === traceId)).toBe(true)
    expect(watch.parentSpanContext?.spanId).toBe(createSpanId)
    expect(watch.attributes['aiprogress.job.id']).toBe(jobId)
    expect(watch.attributes['aiprogress.job.outcome']).toBe('completed')
    for (const name of ['sse connect', 'first event', 'render progress', 'render complete']) {
      expect(byName(name)!.parentSpanContext?.spanId).toBe(watch.spanContext().spanId)
    }
    // The render span starts at the server's timestamp: here the state event a new connection begins with.
    const render = byName('render progress')!
    expect(render.startTime[0] * 1000 + render.startTime[1] / 1e6).toBe(Date.parse('2026-01-01T09:59:00Z'))

    const { resourceMetrics } = await reader.collect()
    const histogram = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'aiprogress.web.event.render_latency') as HistogramMetricData
    expect(histogram.descriptor.unit).toBe('ms')
    // One sample: the live event, 300 ms from its server timestamp to the frame; not the connection's first.
    expect(histogram.dataPoints[0].value.count).toBe(1)
    expect(histogram.dataPoints[0].value.min).toBeGreaterThanOrEqual(300)
    expect(histogram.dataPoints[0].value.max).toBeLessThan(1000)
    wrapper.unmount()
  })

  it('is off without an endpoint, and reads the one the AppHost passes', () => {
    expect(telemetryConfig({})).toBeNull()
    expect(telemetryConfig({
      VITE_OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:19081/',
      VITE_OTEL_EXPORTER_OTLP_HEADERS: 'x-otlp-api-key=abc',
      VITE_OTEL_SERVICE_NAME: 'web',
      VITE_OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=web-1',
    })).toEqual({
      endpoint: 'http://localhost:19081',
      headers: { 'x-otlp-api-key': 'abc' },
      serviceName: 'web',
      resourceAttributes: { 'service.instance.id': 'web-1' },
    })
  })
})
