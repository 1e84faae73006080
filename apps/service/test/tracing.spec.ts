/**
 * `observations.tracing` (issue #20): two daemons (Raft, each with a real Kubo) export their
 * spans over OTLP/HTTP (JSON) to a receiver in this process. `POST /pins/{cid}` is one trace:
 * the REST request, its consensus commit, the pin tracker's operation and the Kubo call, each
 * the child of the one before; on the other daemon the Raft entry's apply (it carries the
 * commit's traceparent), its tracker operation and Kubo call join the same trace. Through the
 * follower, the hand-over of the entry to the leader is an RPC pair between the two. `GET
 * /pins/{cid}` asks the other peer over RPC in one trace: the client span's `traceparent`
 * becomes the parent of the server span on the other daemon.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OtlpReceiver, until, type ReceivedSpan } from '@cluster/test-utils'
import { LocalCluster } from '../dev/local-cluster.ts'
import { main } from '../src/cli/main.ts'
import { startDaemon } from '../src/cli/daemon.ts'
import { capture } from './helpers/capture.ts'
import { kuboEnvFixture } from './helpers/kubo-env.ts'

describe('tracing over OTLP', () => {
  let base: string
  let cluster: LocalCluster
  const receiver = new OtlpReceiver()

  /** Waits until `pick` finds what it wants among the spans received so far. */
  /**
   * Waits until `pick` finds what it wants among the spans received so far; on a timeout the
   * spans received are printed by trace, to show which link is missing.
   */
  const waitFor = async <T>(what: string, pick: (spans: ReceivedSpan[]) => T | undefined): Promise<T> => {
    try {
      return await until(() => pick(receiver.spans), what, 25_000, 100)
    } catch (err) {
      const byTrace = new Map<string, string[]>()
      for (const s of receiver.spans) {
        const line = `${s.name} ${s.spanId} ← ${s.parentSpanId || '(root)'} on ${String(s.resource['service.instance.id']).slice(-6)}`
        byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), line])
      }
      for (const [trace, lines] of byTrace) console.log(`trace ${trace}\n  ${lines.join('\n  ')}`)
      throw err
    }
  }

  beforeAll(async () => {
    const url = await receiver.start()
    base = mkdtempSync(join(tmpdir(), 'tracing-'))
    cluster = new LocalCluster({
      base,
      peers: 2,
      configure: (c) => {
        c.observations.tracing.enable_tracing = true
        c.observations.tracing.sampling_prob = 1
        c.observations.tracing.otlp_endpoint = url
      }
    })
    await cluster.start()
  }, 180_000)

  afterAll(async () => {
    await cluster?.stop()
    await receiver.stop()
    if (process.env.KEEP_TEST_DIRS === undefined) rmSync(base, { recursive: true, force: true })
  }, 60_000)

  it('follows a pin from the REST request to the consensus, the tracker and Kubo, on both daemons', async () => {
    // One pin through each daemon: one of them is the Raft leader and commits itself, the other
    // hands its entry to the leader (an RPC pair in the trace) and applies it when committed.
    const traced = await Promise.all(cluster.peers.map(async (p, i) => {
      const form = new FormData()
      form.append('file', new Blob([`traced ${i} ${Date.now()}`]))
      const cid = (await p.kubo!.rpc<{ Key: string }>('block/put', { 'cid-codec': 'raw' }, form)).Key
      expect((await fetch(`${p.restUrl}/pins/${cid}`, { method: 'POST' })).status).toBe(200)
      return { via: p, other: cluster.peers[1 - i]!, cid }
    }))

    const chains = []
    for (const { via, other, cid } of traced) {
      const found = await waitFor(`the spans of the pin through ${via.id}`, spans => {
        const rest = spans.find(s => s.kind === 2 && s.attributes['http.request.method'] === 'POST' && s.attributes['url.path'] === `/pins/${cid}`)
        if (rest === undefined) return undefined
        const inTrace = spans.filter(s => s.traceId === rest.traceId)
        const child = (name: string, parent: ReceivedSpan | undefined) => parent === undefined ? undefined : inTrace.find(s => s.name === name && s.parentSpanId === parent.spanId)
        const commit = child('consensus.logPin', rest)
        const op = child('pintracker.pin', commit)
        const kubo = child('ipfs.pin', op)
        // The other daemon: the leader's apply directly under the commit, or, through a
        // follower, client → server on the leader → apply.
        const client = child('rpc.client Raft.Propose', commit)
        const server = child('rpc.server Raft.Propose', client)
        const apply = client === undefined ? child('consensus.apply', commit) : child('consensus.apply', server)
        const op1 = child('pintracker.pin', apply)
        const kubo1 = child('ipfs.pin', op1)
        if (kubo === undefined || kubo1 === undefined) return undefined
        return { rest, commit: commit!, op: op!, kubo, handOver: client === undefined ? undefined : [client, server!] as const, remote: [apply!, op1!, kubo1] }
      })
      expect(found.rest.name).toBe('POST /pins/:hash')
      expect(found.rest.parentSpanId).toBe('')
      expect(found.rest.attributes['http.response.status_code']).toBe(200)
      expect(found.commit.attributes).toMatchObject({ 'cluster.cid': cid, 'cluster.consensus': 'raft' })
      expect(found.op.attributes['cluster.cid']).toBe(cid)
      expect(found.op.attributes['cluster.phase']).toBe('done')
      expect(found.kubo.kind).toBe(3)
      // All on the daemon that took the request, under the configured service name.
      for (const s of [found.rest, found.commit, found.op, found.kubo]) {
        expect(s.resource['service.instance.id']).toBe(via.id)
        expect(s.service).toBe('cluster-daemon')
      }
      for (const s of found.remote) expect(s.resource['service.instance.id']).toBe(other.id)
      expect(found.remote[1]?.attributes['cluster.phase']).toBe('done')
      if (found.handOver !== undefined) {
        const [client, server] = found.handOver
        expect(client).toMatchObject({ kind: 3, attributes: { 'rpc.system': 'raft', 'cluster.peer.callee': other.id } })
        expect(client.resource['service.instance.id']).toBe(via.id)
        expect(server).toMatchObject({ kind: 2, attributes: { 'cluster.peer.caller': via.id, 'cluster.cid': cid } })
        expect(server.resource['service.instance.id']).toBe(other.id)
      }
      chains.push(found)
    }
    // Exactly one of the two daemons was a follower.
    expect(chains.filter(c => c.handOver !== undefined)).toHaveLength(1)
  })

  it('carries the trace over peer RPC to the other daemon', async () => {
    const [p0, p1] = cluster.peers
    const form = new FormData()
    form.append('file', new Blob([`status ${Date.now()}`]))
    const cid = (await p0!.kubo!.rpc<{ Key: string }>('block/put', { 'cid-codec': 'raw' }, form)).Key
    expect((await fetch(`${p0!.restUrl}/pins/${cid}`, { method: 'POST' })).status).toBe(200)
    expect((await fetch(`${p0!.restUrl}/pins/${cid}`)).status).toBe(200)

    const found = await waitFor('the spans of the status request', spans => {
      const rest = spans.find(s => s.kind === 2 && s.attributes['http.request.method'] === 'GET' && s.attributes['url.path'] === `/pins/${cid}`)
      if (rest === undefined) return undefined
      const inTrace = spans.filter(s => s.traceId === rest.traceId)
      const client = inTrace.find(s => s.kind === 3 && s.name.startsWith('rpc.client ') && s.attributes['cluster.peer.callee'] === p1!.id)
      const server = client === undefined ? undefined : inTrace.find(s => s.kind === 2 && s.parentSpanId === client.spanId)
      return server === undefined ? undefined : { rest, client: client!, server }
    })
    expect(found.server.name).toBe(found.client.name.replace('rpc.client', 'rpc.server'))
    expect(found.server.attributes['cluster.peer.caller']).toBe(p0!.id)
    expect(found.client.resource['service.instance.id']).toBe(p0!.id)
    expect(found.server.resource['service.instance.id']).toBe(p1!.id)
    // The client span sits under the request (possibly through internal spans of the request).
    expect(found.client.traceId).toBe(found.rest.traceId)
  })
})

describe('daemon --tracing (in-process)', () => {
  const env = kuboEnvFixture('tracing-flag-')

  it('turns tracing on whatever enable_tracing says, with the endpoint from the environment', async () => {
    const receiver = new OtlpReceiver()
    const url = await receiver.start()
    const folder = join(env.dir, 'peer')
    expect(await main(['-c', folder, 'init', '--consensus', 'raft', '--randomports'], capture())).toBe(0)
    const vars = { ...process.env, CLUSTER_TRACING_OTLPENDPOINT: url, CLUSTER_TRACING_SAMPLINGPROB: '1' }
    // Without the flag (enable_tracing is false in a fresh config) nothing is set up.
    const off = await startDaemon(folder, {}, capture(), vars)
    expect(off.tracing).toBeUndefined()
    await off.stop()
    const io = capture()
    const daemon = await startDaemon(folder, { tracing: true }, io, vars)
    try {
      expect(daemon.tracing).toBeDefined()
      expect(io.stderr).toContain(`tracing enabled: spans go to ${url}`)
      const rest = daemon.restApi?.addresses[0]
      expect((await fetch(`http://${rest?.host ?? ''}:${rest?.port ?? ''}/id`)).status).toBe(200)
      await daemon.tracing?.flush()
      const span = await until(() => receiver.spans.find(s => s.name === 'GET /id'), 'the span of GET /id', 10_000, 50)
      expect(span.resource['service.instance.id']).toBe(daemon.peer.peerId)
      // A client's traceparent header is the request span's parent.
      const parent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
      expect((await fetch(`http://${rest?.host ?? ''}:${rest?.port ?? ''}/version`, { headers: { traceparent: parent } })).status).toBe(200)
      await daemon.tracing?.flush()
      const child = await until(() => receiver.spans.find(s => s.name === 'GET /version'), 'the span of GET /version', 10_000, 50)
      expect(child).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7' })
    } finally {
      await daemon.stop()
      await receiver.stop()
    }
  }, 60_000)
})
