import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { KvStore, encodeCommand } from '../examples/kv-store.ts'
import { unwrap, wrap } from '../src/envelope.ts'
import { MemoryNetwork } from '../src/memory-transport.ts'
import { RaftNode } from '../src/node.ts'
import { MemoryStorage, bootstrapSnapshot } from '../src/storage.ts'

const running: Array<RaftNode<string | undefined>> = []
afterEach(async () => { await Promise.all(running.splice(0).map(async n => await n.stop())) })

async function until (cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`)
    await new Promise(resolve => setTimeout(resolve, 5))
  }
}

/** The wire form version 1 of the envelope (entries written before nonces existed). */
function wrapV1 (origin: string, seq: number, payload: Uint8Array): Uint8Array {
  const id = new TextEncoder().encode(origin)
  const out = new Uint8Array(11 + id.length + payload.length)
  const view = new DataView(out.buffer)
  out[0] = 1
  view.setUint16(1, id.length)
  out.set(id, 3)
  view.setFloat64(3 + id.length, seq)
  out.set(payload, 11 + id.length)
  return out
}

describe('proposal identity', () => {
  it('reads both envelope versions; only version 2 has a nonce', () => {
    const nonce = randomBytes(8)
    const v2 = unwrap(wrap('n1', nonce, 7, new Uint8Array([1, 2])))
    expect(v2).toMatchObject({ origin: 'n1', nonce: nonce.toString('hex'), seq: 7 })
    expect([...(v2?.payload ?? [])]).toEqual([1, 2])
    const v1 = unwrap(wrapV1('n1', 7, new Uint8Array([3])))
    expect(v1).toMatchObject({ origin: 'n1', nonce: '', seq: 7 })
    expect(unwrap(new Uint8Array(0))).toBeUndefined()
  })

  // The node proposed `old` (seq 1) in an earlier run; it committed but was not applied before
  // the restart. In this run seq starts at 1 again: the old entry must not answer the new proposal.
  for (const [label, oldEntry] of [
    ['an earlier run', (p: Uint8Array) => wrap('n1', randomBytes(8), 1, p)],
    ['an earlier version (no nonce)', (p: Uint8Array) => wrapV1('n1', 1, p)]
  ] as const) {
    it(`an entry proposed by ${label} with the same seq does not resolve a new proposal`, async () => {
      const storage = new MemoryStorage()
      storage.bootstrap(bootstrapSnapshot(['n1']))
      storage.append([{ index: 2, term: 1, type: 'normal', data: oldEntry(encodeCommand({ op: 'put', key: 'k', value: 'old' })) }])
      storage.setHardState({ term: 1, vote: 'n1', commit: 2 })
      const kv = new KvStore()
      const node = new RaftNode('n1', { storage, transport: new MemoryNetwork().transport('n1'), stateMachine: kv, tickMs: 10 })
      running.push(node)
      node.campaign() // a single voter leads at once
      const result = node.propose(encodeCommand({ op: 'put', key: 'k', value: 'new' }))
      node.start()
      // Applied in order: the old entry (k: undefined → old), then ours (k: old → new).
      expect(await result).toBe('old')
      expect(kv.data.get('k')).toBe('new')
    })
  }
})

describe('proposals when the leader changes', () => {
  it('a proposal forwarded to a leader that vanished is sent to the new leader at once, not after its timeout', async () => {
    const ids = ['n1', 'n2', 'n3']
    const net = new MemoryNetwork()
    const members = ids.map(id => {
      const kv = new KvStore()
      const node = new RaftNode(id, {
        storage: new MemoryStorage(), transport: net.transport(id), stateMachine: kv, bootstrap: ids,
        tickMs: 10, electionTicks: 10, heartbeatTicks: 1, requestTimeoutMs: 60_000
      })
      node.start()
      running.push(node)
      return { node, kv }
    })
    await until(() => members.some(m => m.node.isLeader), 'a leader')
    const old = members.find(m => m.node.isLeader)!
    const follower = members.find(m => m !== old)!
    await follower.node.propose(encodeCommand({ op: 'put', key: 'warm', value: 'up' }))
    // The leader is gone (frozen, dead): what the follower forwards to it is lost.
    net.isolate(old.node.id)
    const started = Date.now()
    const pending = follower.node.propose(encodeCommand({ op: 'put', key: 'x', value: '1' }))
    await pending
    const waited = Date.now() - started
    const rest = members.filter(m => m !== old)
    expect(rest.some(m => m.node.isLeader)).toBe(true)
    expect(follower.kv.data.get('x')).toBe('1')
    // An election takes 100–200 ms here; the proposal's own timeout is 60 s.
    expect(waited).toBeLessThan(10_000)
    net.heal()
    await until(() => old.kv.data.get('x') === '1', 'the old leader to learn the entry')
  })
})

describe('proposals forwarded to the leader', () => {
  it('the leader reports each forwarded payload with its sender; its own proposals are not reported', async () => {
    const ids = ['n1', 'n2', 'n3']
    const net = new MemoryNetwork()
    const reported: Array<{ at: string, from: string, payloads: string[] }> = []
    const nodes = ids.map(id => {
      const node = new RaftNode(id, {
        storage: new MemoryStorage(), transport: net.transport(id), stateMachine: new KvStore(), bootstrap: ids,
        tickMs: 10, electionTicks: 10, heartbeatTicks: 1,
        onForwardedProposals: (from, payloads) => { reported.push({ at: id, from, payloads: payloads.map(p => Buffer.from(p).toString('hex')) }) }
      })
      node.start()
      running.push(node)
      return node
    })
    await until(() => nodes.some(n => n.isLeader), 'a leader')
    const leader = nodes.find(n => n.isLeader)!
    const follower = nodes.find(n => n !== leader)!
    const fromLeader = encodeCommand({ op: 'put', key: 'a', value: '1' })
    const fromFollower = encodeCommand({ op: 'put', key: 'b', value: '2' })
    await leader.propose(fromLeader)
    await follower.propose(fromFollower)
    // Exactly the follower's payload (without the driver's envelope), reported once by the leader.
    expect(reported).toEqual([{ at: leader.id, from: follower.id, payloads: [Buffer.from(fromFollower).toString('hex')] }])
  })
})
