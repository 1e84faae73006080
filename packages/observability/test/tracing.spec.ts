// Tracing on its own: nothing is made while it is off; once started, spans nest through awaits
// and queues (captured contexts), carry a traceparent, and reach an OTLP/HTTP receiver as JSON.
import { afterEach, describe, expect, it } from 'vitest'
import { OtlpReceiver, until } from '@cluster/test-utils'
import {
  activeTraceparent, captureContext, inSpan, runInContext, startSpan, startTracing, tracesUrl, tracingEnabled,
  type RunningTracing
} from '../src/index.ts'

describe('tracing', () => {
  let tracing: RunningTracing | undefined
  const receiver = new OtlpReceiver()

  afterEach(async () => {
    await tracing?.stop()
    tracing = undefined
    await receiver.stop().catch(() => {})
    receiver.spans.length = 0
  })

  it('is a plain call while off', async () => {
    expect(tracingEnabled()).toBe(false)
    expect(await inSpan('x', {}, async span => { span.setAttribute('a', 1); return activeTraceparent() })).toBeUndefined()
    expect(startSpan('y').traceparent()).toBeUndefined()
    expect(captureContext()).toBeUndefined()
    expect(runInContext(undefined, () => 7)).toBe(7)
  })

  it('derives the traces URL from otlp_endpoint', () => {
    expect(tracesUrl('http://127.0.0.1:4318')).toBe('http://127.0.0.1:4318/v1/traces')
    expect(tracesUrl('http://collector:4318/')).toBe('http://collector:4318/v1/traces')
    expect(tracesUrl('https://c.example/v1/traces')).toBe('https://c.example/v1/traces')
  })

  it('exports nested spans with their parents, across a queue and from a remote parent', async () => {
    tracing = await startTracing({ serviceName: 'unit', samplingProb: 1, otlpEndpoint: await receiver.start(), exportDelayMs: 20, attributes: { 'service.instance.id': 'peer-a' } })
    let queued: ReturnType<typeof captureContext>
    let carried: string | undefined
    await inSpan('request', { kind: 'server' }, async () => {
      await inSpan('commit', {}, async () => {
        queued = captureContext()
        carried = activeTraceparent()
      })
    })
    expect(carried).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
    // Later, outside the request: the queued work joins the request's trace.
    await runInContext(queued, async () => { await inSpan('operation', {}, async () => {}) })
    // Another peer continues from the traceparent it received.
    await inSpan('remote', { kind: 'server', traceparent: carried as string }, async () => {})
    await expect(inSpan('failing', {}, async () => { throw new Error('boom') })).rejects.toThrow('boom')
    await tracing.flush()
    await until(() => receiver.spans.length >= 5 ? true : undefined, 'five spans', 10_000, 20)
    const [request, commit, operation, remote, failing] = ['request', 'commit', 'operation', 'remote', 'failing'].map(n => receiver.named(n)[0])
    expect(request).toMatchObject({ parentSpanId: '', kind: 2, service: 'unit' })
    expect(request?.resource['service.instance.id']).toBe('peer-a')
    expect(commit).toMatchObject({ traceId: request?.traceId, parentSpanId: request?.spanId })
    expect(operation).toMatchObject({ traceId: request?.traceId, parentSpanId: commit?.spanId })
    expect(remote).toMatchObject({ traceId: request?.traceId, parentSpanId: commit?.spanId })
    expect(failing?.status).toBe(2)
    expect(failing?.traceId).not.toBe(request?.traceId)
  })

  it('stops quickly when the collector does not answer', async () => {
    // A listening socket that never answers: the export hangs until its own timeout.
    const { createServer } = await import('node:net')
    const silent = createServer(() => {})
    await new Promise<void>(resolve => { silent.listen(0, '127.0.0.1', resolve) })
    const port = (silent.address() as { port: number }).port
    try {
      tracing = await startTracing({ serviceName: 'unit', samplingProb: 1, otlpEndpoint: `http://127.0.0.1:${port}`, exportDelayMs: 10_000, stopTimeoutMs: 300 })
      await inSpan('lost', {}, async () => {})
      const started = Date.now()
      await tracing.stop()
      expect(Date.now() - started).toBeLessThan(2_000)
    } finally {
      silent.close()
    }
  })

  it('samples new traces by sampling_prob, and stops cleanly', async () => {
    tracing = await startTracing({ serviceName: 'unit', samplingProb: 0, otlpEndpoint: await receiver.start(), exportDelayMs: 20 })
    const tp = await inSpan('unsampled', {}, async () => activeTraceparent())
    expect(tp).toMatch(/-00$/)
    await tracing.flush()
    expect(receiver.spans).toEqual([])
    await tracing.stop()
    expect(tracingEnabled()).toBe(false)
  })
})
