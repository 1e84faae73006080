// Tracing of Raft commits: an entry may carry its commit's traceparent (older peers ignore the
// key), and with tracing on every peer's apply hooks run in the commit's trace: in the commit
// itself on the proposing peer, in a `consensus.apply` span of it on the others.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodePin, defaultPinOptions, parseJson, Timestamp, type Pin } from '@cluster/api'
import { MemoryNetwork } from '@cluster/raft/node'
import { OtlpReceiver, syntheticCid, until } from '@cluster/test-utils'
import { activeTraceparent, inSpan, startTracing, type RunningTracing } from '@cluster/observability'
import { decodeOp, encodeOp, RaftConsensus } from '@cluster/consensus'
import { CommitTraces } from '../src/commit-trace.ts'
import { join } from 'node:path'
import { tempDir, track } from './helpers.ts'

const P1 = '12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR'
const P2 = '12D3KooWJ7JLjFub4u2vrx8asEMz5gnbA2U5199GcXMfWaStDbAV'
const P3 = '12D3KooWJVyhPXhspHCmP1qkstWB5HJ19j3REsBmBBpUEUEaiqzM'
const TP = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'

function pin (i: number): Pin {
  return {
    ...defaultPinOptions(), name: `traced-${i}`, cid: syntheticCid(i), type: 'pin', allocations: [P1], maxDepth: -1,
    reference: undefined, timestamp: Timestamp.fromUnixMillis(1_750_000_000_000 + i)
  }
}

describe('traceparent in Raft entries', () => {
  it('round-trips, is left out without tracing, and is ignored by a pin decoder', () => {
    const plain = encodeOp({ type: 'pin', pin: pin(1) })
    expect(new TextDecoder().decode(plain)).not.toContain('traceparent')
    expect(decodeOp(plain)).not.toHaveProperty('traceparent')
    const traced = encodeOp({ type: 'unpin', pin: pin(1), traceparent: TP })
    expect(decodeOp(traced)).toMatchObject({ type: 'unpin', traceparent: TP })
    // What a peer that does not know the key does with the entry: the same pin.
    expect(decodePin(parseJson(new TextDecoder().decode(traced.subarray(1))))).toEqual(decodePin(parseJson(new TextDecoder().decode(plain.subarray(1)))))
  })
})

describe('apply hooks in the commit\'s trace', () => {
  let tracing: RunningTracing
  const receiver = new OtlpReceiver()
  beforeAll(async () => {
    tracing = await startTracing({ serviceName: 'raft', samplingProb: 1, otlpEndpoint: await receiver.start(), exportDelayMs: 20 })
  })
  afterAll(async () => {
    await tracing.stop()
    await receiver.stop()
  })

  it('runs each peer\'s onPin under the commit span', async () => {
    const dir = tempDir()
    const net = new MemoryNetwork()
    const ids = [P1, P2, P3]
    const seen = new Map<string, string | undefined>()
    const peers = ids.map(id => track(new RaftConsensus({
      id, dataDir: join(dir, id), transport: net.transport(id),
      config: { heartbeatTimeoutMs: 100, waitForLeaderTimeoutMs: 10_000, initPeerset: ids },
      hooks: { onPin: () => { seen.set(id, activeTraceparent()) } }
    })))
    await peers[0]?.waitForLeader()
    const proposer = peers.find(p => !p.isLeader()) as RaftConsensus
    await inSpan('request', {}, async () => { await proposer.logPin(pin(2)) })
    await until(() => seen.size === 3 ? true : undefined, 'every peer applied the pin', 10_000, 20)
    await tracing.flush()
    const commit = await until(() => receiver.named('consensus.logPin')[0], 'the commit span', 10_000, 20)
    const request = receiver.named('request')[0]
    expect(commit.parentSpanId).toBe(request?.spanId)
    // The proposer's hook runs in the commit span itself.
    expect(seen.get(proposer.id)?.split('-')[2]).toBe(commit.spanId)
    // A follower hands the entry to the leader: an RPC pair, client under the commit, server on
    // the leader under the client.
    const leader = peers.find(p => p.isLeader()) as RaftConsensus
    const client = await until(() => receiver.named('rpc.client Raft.Propose')[0], 'the hand-over span', 10_000, 20)
    expect(client).toMatchObject({ traceId: commit.traceId, parentSpanId: commit.spanId, kind: 3 })
    expect(client.attributes).toMatchObject({ 'rpc.system': 'raft', 'rpc.method': 'Propose', 'cluster.peer.callee': leader.id })
    const server = await until(() => receiver.named('rpc.server Raft.Propose')[0], 'the leader\'s span', 10_000, 20)
    expect(server).toMatchObject({ traceId: commit.traceId, parentSpanId: client.spanId, kind: 2 })
    expect(server.attributes).toMatchObject({ 'cluster.peer.caller': proposer.id, 'cluster.cid': syntheticCid(2).toString() })
    // The others' hooks in an apply span: on the leader under its server span, on the third peer
    // under the client span the entry carries.
    const applies = await until(() => { const a = receiver.named('consensus.apply'); return a.length === 2 ? a : undefined }, 'two apply spans', 10_000, 20)
    const third = ids.find(i => i !== proposer.id && i !== leader.id) as string
    const byPeer = (id: string) => applies.find(a => a.spanId === seen.get(id)?.split('-')[2])
    expect(byPeer(leader.id)).toMatchObject({ traceId: commit.traceId, parentSpanId: server.spanId })
    expect(byPeer(third)).toMatchObject({ traceId: commit.traceId, parentSpanId: client.spanId })
    for (const a of applies) expect(a.attributes['cluster.cid']).toBe(syntheticCid(2).toString())
  })

  it('makes no hand-over spans for a commit on the leader', async () => {
    const dir = tempDir()
    const net = new MemoryNetwork()
    const ids = [P1, P2, P3]
    const applied = new Set<string>()
    const peers = ids.map(id => track(new RaftConsensus({
      id, dataDir: join(dir, id), transport: net.transport(id),
      config: { heartbeatTimeoutMs: 100, waitForLeaderTimeoutMs: 10_000, initPeerset: ids },
      hooks: { onPin: () => { applied.add(id) } }
    })))
    await peers[0]?.waitForLeader()
    const before = receiver.named('rpc.client Raft.Propose').length + receiver.named('rpc.server Raft.Propose').length
    const leader = peers.find(p => p.isLeader()) as RaftConsensus
    await inSpan('leader request', {}, async () => { await leader.logPin(pin(3)) })
    await until(() => applied.size === 3 ? true : undefined, 'every peer applied the pin', 10_000, 20)
    await tracing.flush()
    const commit = await until(() => receiver.spans.find(s => s.name === 'consensus.logPin' && s.attributes['cluster.cid'] === syntheticCid(3).toString()), 'the commit span', 10_000, 20)
    const applies = await until(() => { const a = receiver.named('consensus.apply').filter(s => s.traceId === commit.traceId); return a.length === 2 ? a : undefined }, 'two apply spans', 10_000, 20)
    for (const a of applies) expect(a.parentSpanId).toBe(commit.spanId)
    expect(receiver.named('rpc.client Raft.Propose').length + receiver.named('rpc.server Raft.Propose').length).toBe(before)
  })

  it('keeps one server span when a forwarded proposal arrives twice, and applies the entry under it', async () => {
    const traces = new CommitTraces('raft')
    const applied: string[] = []
    const hooks = traces.wrap({ onPin: () => { applied.push(activeTraceparent() ?? '') } })
    let client = ''
    await inSpan('follower hand-over', { kind: 'client' }, async () => { client = activeTraceparent() ?? '' })
    const p = pin(4)
    // A leader change seen by the follower re-sends its pending proposal to the same leader.
    traces.served(P2, client, p)
    traces.served(P2, client, p)
    hooks?.onPin?.(p, undefined, client)
    await tracing.flush()
    const clientSpanId = client.split('-')[2]
    const servers = await until(() => { const s = receiver.named('rpc.server Raft.Propose').filter(x => x.parentSpanId === clientSpanId); return s.length > 0 ? s : undefined }, 'the server span', 10_000, 20)
    expect(servers).toHaveLength(1)
    const apply = await until(() => receiver.named('consensus.apply').find(a => a.parentSpanId === servers[0]?.spanId), 'the apply under it', 10_000, 20)
    expect(applied[0]?.split('-')[2]).toBe(apply.spanId)
    traces.close()
  })
})
