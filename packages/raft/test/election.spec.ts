import { describe, expect, it } from 'vitest'
import { MemoryStorage, RawNode, SeededRng, bootstrapSnapshot, InvalidConfigError } from '../src/index.ts'
import { Network } from './harness.ts'
import { raftOf } from '../src/rawnode.ts'

describe('leader election', () => {
  it('a single voter elects itself and commits its empty entry after persisting it', () => {
    const storage = new MemoryStorage()
    storage.bootstrap(bootstrapSnapshot(['a']))
    const n = new RawNode({ id: 'a', storage, rng: new SeededRng(1) })
    n.campaign()
    expect(raftOf(n).role).toBe('leader')
    const rd = n.ready()
    expect(rd.softState).toEqual({ leader: 'a', role: 'leader' })
    expect(rd.entries.map((e) => e.index)).toEqual([2])
    // not committed before the leader's own write is durable
    expect(rd.committedEntries).toEqual([])
    storage.append(rd.entries)
    n.advance(rd)
    const rd2 = n.ready()
    expect(rd2.hardState?.commit).toBe(2)
    expect(rd2.committedEntries.map((e) => e.index)).toEqual([2])
  })

  it('three nodes elect the first one to time out, and the others follow it', () => {
    const net = new Network(['a', 'b', 'c'])
    net.campaign('a')
    expect(net.leader()).toBe('a')
    expect(net.raft('a').term).toBe(2)
    expect(net.raft('b').lead).toBe('a')
    expect(net.raft('c').lead).toBe('a')
    expect(net.raft('b').vote).toBe('a')
    // the empty entry of the new term is committed everywhere
    for (const id of ['a', 'b', 'c']) expect(net.raft(id).log.committed).toBe(2)
  })

  it('randomised timeouts elect exactly one leader by ticking alone', () => {
    const net = new Network(['a', 'b', 'c', 'd', 'e'], { seed: 7 })
    net.tickAll(25)
    const leaders = ['a', 'b', 'c', 'd', 'e'].filter((id) => net.raft(id).role === 'leader')
    expect(leaders).toHaveLength(1)
    const t = net.raft(leaders[0] as string).term
    for (const id of ['a', 'b', 'c', 'd', 'e']) expect(net.raft(id).term).toBe(t)
  })

  it('election timeouts come from the injected RNG and lie in [e, 2e)', () => {
    const timeouts = new Set<number>()
    for (let seed = 0; seed < 50; seed++) {
      const storage = new MemoryStorage()
      storage.applySnapshot(bootstrapSnapshot(['a', 'b']))
      const n = new RawNode({ id: 'a', storage, rng: new SeededRng(seed), electionTicks: 10 })
      timeouts.add(raftOf(n).randomizedElectionTimeout)
      const again = new RawNode({ id: 'a', storage, rng: new SeededRng(seed), electionTicks: 10 })
      expect(raftOf(again).randomizedElectionTimeout).toBe(raftOf(n).randomizedElectionTimeout)
    }
    for (const t of timeouts) {
      expect(t).toBeGreaterThanOrEqual(10)
      expect(t).toBeLessThan(20)
    }
    expect(timeouts.size).toBeGreaterThan(3)
  })

  it('a split vote is resolved by a later election in a higher term', () => {
    const net = new Network(['a', 'b', 'c', 'd'], { preVote: false })
    // a and c campaign at once: a gets b, c gets d -> nobody has 3 of 4
    net.partition(['a', 'b'], ['c', 'd'])
    net.campaign('a')
    net.campaign('c')
    expect(net.leader()).toBeUndefined()
    expect(net.raft('a').role).toBe('candidate')
    expect(net.raft('c').role).toBe('candidate')
    net.heal()
    net.campaign('b')
    expect(net.leader()).toBe('b')
    expect(net.raft('b').term).toBe(3)
  })

  it('a candidate with a stale log cannot win', () => {
    const net = new Network(['a', 'b', 'c'])
    net.campaign('a')
    net.isolate('c')
    net.propose('a', 'x')
    net.heal()
    net.isolate('a')
    net.campaign('c') // c's log lacks 'x': b refuses (pre-)votes
    expect(net.raft('c').role).not.toBe('leader')
    net.campaign('b')
    expect(net.leader()).toBe('b')
  })

  it('PreVote keeps a partitioned node from bumping the term and disrupting the leader on rejoin', () => {
    const net = new Network(['a', 'b', 'c'])
    net.campaign('a')
    const term = net.raft('a').term
    net.isolate('c')
    for (let i = 0; i < 10; i++) net.campaign('c') // keeps timing out alone
    expect(net.raft('c').term).toBe(term)
    expect(net.raft('c').role).toBe('preCandidate')
    net.heal()
    net.tickAll(1) // heartbeat brings c back
    expect(net.leader()).toBe('a')
    expect(net.raft('a').term).toBe(term)
    expect(net.raft('c').role).toBe('follower')
    expect(net.raft('c').lead).toBe('a')
  })

  it('without PreVote the same partitioned node forces a new election on rejoin', () => {
    const net = new Network(['a', 'b', 'c'], { preVote: false, checkQuorum: false })
    net.campaign('a')
    const term = net.raft('a').term
    net.isolate('c')
    for (let i = 0; i < 3; i++) net.campaign('c')
    expect(net.raft('c').term).toBe(term + 3)
    net.heal()
    net.tickAll(30)
    // c's next vote request carried its inflated term: the leader had to step down
    expect(net.raft('a').term).toBeGreaterThan(term)
  })

  it('CheckQuorum: a leader that loses its quorum steps down after an election timeout', () => {
    const net = new Network(['a', 'b', 'c'], { electionTicks: 10 })
    net.campaign('a')
    net.isolate('a')
    net.tick('a', 10)
    expect(net.raft('a').role).toBe('leader') // first round only marks peers inactive
    net.tick('a', 10)
    expect(net.raft('a').role).toBe('follower')
    expect(net.raft('a').lead).toBeNull()
  })

  it('leader lease: followers that recently heard the leader ignore a disruptive vote request', () => {
    const net = new Network(['a', 'b', 'c'], { preVote: false })
    net.campaign('a')
    const term = net.raft('a').term
    // c cannot hear the leader (one-way cut) but can still send
    net.cutOneWay('a', 'c')
    net.campaign('c')
    expect(net.raft('c').term).toBe(term + 1)
    // b heard from the leader within the lease: it ignored c's vote and kept its term
    expect(net.raft('b').term).toBe(term)
    expect(net.leader()).toBe('a')
  })

  it('a stale leader learns it was deposed from the answer to its heartbeat', () => {
    const net = new Network(['a', 'b', 'c'], { checkQuorum: false })
    net.campaign('a')
    net.isolate('a')
    net.campaign('b')
    expect(net.raft('b').role).toBe('leader')
    expect(net.raft('a').role).toBe('leader')
    net.heal()
    net.tick('a', 1) // a heartbeats with its old term; b and c answer with theirs
    expect(net.raft('a').role).toBe('follower')
    expect(net.raft('a').term).toBe(net.raft('b').term)
  })

  it('votes and terms are persisted before the vote response leaves', () => {
    const net = new Network(['a', 'b', 'c'])
    net.campaign('a')
    const b = net.get('b')
    const rd = b.readies.find((r) => r.messagesAfterPersist.some((m) => m.type === 'voteResp' && !m.reject))
    expect(rd?.hardState).toMatchObject({ term: 2, vote: 'a' })
    expect(rd?.messagesNow.some((m) => m.type === 'voteResp')).toBe(false)
    expect(b.storage.initialState().hardState).toMatchObject({ term: 2, vote: 'a' })
  })

  it('a restarted node remembers its vote and does not vote twice in a term', () => {
    const net = new Network(['a', 'b', 'c'], { preVote: false })
    net.isolate('c')
    net.campaign('a') // b votes for a in term 2
    expect(net.raft('a').role).toBe('leader')
    net.restart('b')
    expect(net.raft('b').vote).toBe('a')
    expect(net.raft('b').term).toBe(2)
    // c campaigns for term 2 too (it was isolated at term 1)
    net.heal()
    net.isolate('a')
    const c = net.raft('c')
    c.becomeCandidate()
    c.term = 2
    c.vote = 'c'
    net.get('b').node.step({ type: 'vote', from: 'c', to: 'b', term: 2, logTerm: 1, index: 1, entries: [], commit: 0, reject: false, rejectHint: 0 })
    net.settle()
    const resp = net.log.filter((m) => m.type === 'voteResp' && m.from === 'b' && m.to === 'c')
    expect(resp.at(-1)?.reject).toBe(true)
  })

  it('rejects invalid configurations', () => {
    const storage = new MemoryStorage()
    expect(() => new RawNode({ id: 'a', storage, rng: new SeededRng(1), electionTicks: 1, heartbeatTicks: 1 })).toThrow(InvalidConfigError)
    expect(() => new RawNode({ id: '', storage, rng: new SeededRng(1) })).toThrow(InvalidConfigError)
  })

  it('a node without a configuration never campaigns', () => {
    const net = new Network(['a'], { joiners: ['z'] })
    net.tick('z', 100)
    expect(net.raft('z').role).toBe('follower')
    expect(net.raft('z').term).toBe(0)
  })
})
