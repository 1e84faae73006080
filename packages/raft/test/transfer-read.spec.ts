import { describe, expect, it } from 'vitest'
import { MemoryStorage, RawNode, SeededRng, bootstrapSnapshot } from '../src/index.ts'
import { Network, bytes, text } from './harness.ts'

describe('leadership transfer', () => {
  it('hands leadership to an up-to-date follower with TimeoutNow', () => {
    const net = new Network(['a', 'b', 'c'])
    net.campaign('a')
    const term = net.raft('a').term
    net.transferLeadership('a', 'b')
    expect(net.log.some((m) => m.type === 'timeoutNow' && m.to === 'b')).toBe(true)
    expect(net.leader()).toBe('b')
    expect(net.raft('b').term).toBe(term + 1)
    expect(net.raft('a').role).toBe('follower')
    // the transfer vote bypassed c's leader lease
    expect(net.raft('c').lead).toBe('b')
  })

  it('brings a lagging target up to date before sending TimeoutNow', () => {
    const net = new Network(['a', 'b', 'c'])
    net.campaign('a')
    net.isolate('c')
    for (let i = 0; i < 3; i++) net.propose('a', `v${i}`)
    net.heal()
    net.transferLeadership('a', 'c')
    const log = net.log
    const firstTimeout = log.findIndex((m) => m.type === 'timeoutNow')
    const lastAppToC = log.findLastIndex((m, i) => i < firstTimeout && m.type === 'app' && m.to === 'c' && m.entries.length > 0)
    expect(lastAppToC).toBeGreaterThanOrEqual(0)
    expect(net.leader()).toBe('c')
    expect(net.get('c').applied).toEqual(['v0', 'v1', 'v2'])
  })

  it('abandons a transfer that does not complete within an election timeout', () => {
    const net = new Network(['a', 'b', 'c'], { electionTicks: 10 })
    net.campaign('a')
    net.isolate('c')
    net.transferLeadership('a', 'c')
    expect(net.raft('a').leadTransferee).toBe('c')
    expect(() => net.get('a').node.propose(bytes('x'))).toThrow(/transfer/)
    net.tick('a', 10)
    expect(net.raft('a').leadTransferee).toBeNull()
    expect(net.raft('a').role).toBe('leader')
    net.propose('a', 'x')
    expect(net.get('b').applied).toEqual(['x'])
  })

  it('ignores a transfer to a learner or to itself', () => {
    const net = new Network(['a', 'b'], { learners: ['l'] })
    net.campaign('a')
    net.transferLeadership('a', 'l')
    net.transferLeadership('a', 'a')
    expect(net.raft('a').leadTransferee).toBeNull()
    expect(net.leader()).toBe('a')
  })

  it('a follower forwards a transfer request to the leader', () => {
    const net = new Network(['a', 'b', 'c'])
    net.campaign('a')
    net.get('c').node.transferLeadership('c')
    net.settle()
    expect(net.leader()).toBe('c')
  })
})

describe('linearizable reads (ReadIndex)', () => {
  it('the leader answers after a quorum acknowledged a heartbeat round', () => {
    const net = new Network(['a', 'b', 'c'])
    net.campaign('a')
    net.propose('a', 'x')
    net.readIndex('a', 'r1')
    const a = net.get('a')
    expect(a.readStates).toHaveLength(1)
    expect(text(a.readStates[0]?.context ?? new Uint8Array())).toBe('r1')
    expect(a.readStates[0]?.index).toBe(3)
    const hb = net.log.filter((m) => m.type === 'heartbeat' && text(m.context ?? new Uint8Array()) === 'r1')
    expect(hb).toHaveLength(2)
  })

  it('a follower forwards the request and receives the read index', () => {
    const net = new Network(['a', 'b', 'c'])
    net.campaign('a')
    net.propose('a', 'x')
    net.readIndex('c', 'from-c')
    const c = net.get('c')
    expect(c.readStates.map((r) => [r.index, text(r.context)])).toEqual([[3, 'from-c']])
  })

  it('a leader cut off from its quorum cannot answer', () => {
    const net = new Network(['a', 'b', 'c'])
    net.campaign('a')
    net.isolate('a')
    net.readIndex('a', 'stale?')
    net.tick('a', 5)
    expect(net.get('a').readStates).toHaveLength(0)
  })

  it('a new leader defers reads until it has committed an entry of its term', () => {
    const net = new Network(['a', 'b', 'c'])
    net.addFilter((m) => m.type !== 'appResp')
    net.campaign('a')
    net.readIndex('a', 'early')
    expect(net.get('a').readStates).toHaveLength(0)
    net.heal()
    net.tick('a')
    expect(net.get('a').readStates.map((r) => r.index)).toEqual([2])
  })

  it('a single voter answers at once', () => {
    const storage = new MemoryStorage()
    storage.bootstrap(bootstrapSnapshot(['a']))
    const n = new RawNode({ id: 'a', storage, rng: new SeededRng(1) })
    n.campaign()
    n.readIndex(bytes('solo'))
    const rd = n.ready()
    expect(rd.readStates.map((r) => text(r.context))).toEqual(['solo'])
  })

  it('lease mode answers without a heartbeat round', () => {
    const net = new Network(['a', 'b', 'c'], { readOnlyMode: 'lease' })
    net.campaign('a')
    const before = net.log.length
    net.readIndex('a', 'lease')
    expect(net.get('a').readStates).toHaveLength(1)
    expect(net.log.slice(before).some((m) => m.type === 'heartbeat')).toBe(false)
  })
})
