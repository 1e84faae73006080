import { describe, expect, it } from 'vitest'
import { MemoryStorage, ProposalDroppedError, RaftInvariantError, RawNode, SeededRng, bootstrapSnapshot, message } from '../src/index.ts'
import { RaftLog } from '../src/log.ts'
import { Network, bytes } from './harness.ts'
import { raftOf } from '../src/rawnode.ts'

/** Appends carrying entries (empty appends only propagate the commit index). */
const apps = (net: Network, from: string, to: string): number => net.log.filter((m) => m.type === 'app' && m.from === from && m.to === to && m.entries.length > 0).length

describe('log replication', () => {
  it('replicates proposals to every follower, commits them and applies them in order', () => {
    const net = new Network(['a', 'b', 'c'])
    net.campaign('a')
    for (const x of ['x', 'y', 'z']) net.propose('a', x)
    for (const id of ['a', 'b', 'c']) {
      expect(net.get(id).applied).toEqual(['x', 'y', 'z'])
      expect(net.raft(id).log.committed).toBe(5)
    }
  })

  it('followers forward proposals to the leader', () => {
    const net = new Network(['a', 'b', 'c'])
    net.campaign('a')
    net.propose('c', 'from-c')
    expect(net.get('a').applied).toEqual(['from-c'])
    expect(net.log.some((m) => m.type === 'prop' && m.from === 'c' && m.to === 'a')).toBe(true)
  })

  it('a burst of proposals batched by the caller travels in one append per follower', () => {
    const net = new Network(['a', 'b', 'c'])
    net.campaign('a')
    const before = apps(net, 'a', 'b')
    net.get('a').node.proposeBatch(['p1', 'p2', 'p3', 'p4'].map(bytes))
    net.settle()
    expect(apps(net, 'a', 'b') - before).toBe(1)
    expect(net.get('b').applied).toEqual(['p1', 'p2', 'p3', 'p4'])
  })

  it('appends are split by maxEntriesPerMsg and maxBytesPerMsg', () => {
    const net = new Network(['a', 'b', 'c'], { maxEntriesPerMsg: 2 })
    net.campaign('a')
    net.isolate('c')
    for (let i = 0; i < 6; i++) net.propose('a', `e${i}`)
    net.heal()
    const before = net.log.length
    net.tick('a') // heartbeat -> c answers -> leader sends the backlog
    const sent = net.log.slice(before).filter((m) => m.type === 'app' && m.to === 'c' && m.entries.length > 0)
    expect(sent.every((m) => m.entries.length <= 2)).toBe(true)
    expect(net.get('c').applied).toHaveLength(6)

    const big = new Network(['a', 'b'], { maxBytesPerMsg: 100 })
    big.campaign('a')
    big.isolate('b')
    for (let i = 0; i < 4; i++) big.propose('a', 'x'.repeat(60))
    big.heal()
    const b0 = big.log.length
    big.tick('a')
    const bigSent = big.log.slice(b0).filter((m) => m.type === 'app' && m.entries.length > 0)
    expect(bigSent.every((m) => m.entries.length === 1)).toBe(true)
    expect(big.get('b').applied).toHaveLength(4)
  })

  it('flow control: at most maxInflightMsgs appends are outstanding to a silent follower', () => {
    const net = new Network(['a', 'b', 'c'], { maxInflightMsgs: 2 })
    net.campaign('a')
    net.propose('a', 'warm-up') // c is now in replicate state
    expect(net.raft('a').trk.progress.get('c')?.state).toBe('replicate')
    net.cutOneWay('c', 'a') // c receives but its acks are lost
    const before = apps(net, 'a', 'c')
    for (let i = 0; i < 6; i++) net.propose('a', `p${i}`)
    expect(apps(net, 'a', 'c') - before).toBe(2)
    expect(net.raft('a').trk.progress.get('c')?.inflights.full()).toBe(true)
    net.heal()
    net.tick('a') // the heartbeat response frees a slot and replication resumes
    expect(net.get('c').applied).toHaveLength(7)
  })

  it('pipelines appends in replicate state without waiting for acknowledgements', () => {
    const net = new Network(['a', 'b'])
    net.campaign('a')
    net.propose('a', 'x')
    net.cutOneWay('b', 'a')
    const pr = net.raft('a').trk.progress.get('b')
    const before = apps(net, 'a', 'b')
    for (let i = 0; i < 3; i++) net.propose('a', `p${i}`)
    expect(apps(net, 'a', 'b') - before).toBe(3)
    expect(pr?.next).toBe(net.raft('a').log.lastIndex() + 1)
  })

  it('a follower that rejects probes is repaired one term at a time (Figure 7 logs)', () => {
    const leader = [1, 1, 4, 4, 5, 5, 6, 6, 6] // terms of entries 2..10 (entry 1 is term 1)
    const followers: Record<string, number[]> = {
      a: [1, 1, 4, 4, 5, 5, 6, 6],
      b: [1, 1, 4],
      c: [1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
      d: [1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
      e: [1, 1, 4, 4, 4, 4],
      f: [1, 1, 2, 2, 2, 3, 3, 3, 3, 3]
    }
    for (const [name, terms] of Object.entries(followers)) {
      const net = new Network(['L', 'F', 'X'], {
        preset: { L: { terms: leader, term: 7 }, X: { terms: leader, term: 7 }, F: { terms, term: 7 } }
      })
      net.campaign('L')
      expect(net.leader(), name).toBe('L')
      expect(net.terms('F'), name).toEqual(net.terms('L'))
      // fast back-tracking: at most one rejection per conflicting term
      const rejects = net.log.filter((m) => m.type === 'appResp' && m.from === 'F' && m.reject).length
      expect(rejects, name).toBeLessThanOrEqual(3)
    }
  })

  it('commit rule: entries of an earlier term are not committed by counting replicas (Figure 8)', () => {
    // a has an uncommitted entry 3 of term 2; it becomes leader of term 4 with the others' votes
    const net = new Network(['a', 'b', 'c', 'd', 'e'], {
      preset: { a: { terms: [1, 2], term: 3 }, b: { terms: [1], term: 3 }, c: { terms: [1], term: 3 }, d: { terms: [1], term: 3 }, e: { terms: [1], term: 3 } }
    })
    net.addFilter((m) => !(m.from === 'a' && (m.type === 'app' || m.type === 'heartbeat')))
    net.campaign('a')
    const a = net.get('a')
    expect(raftOf(a.node).role).toBe('leader')
    expect(raftOf(a.node).term).toBe(4)
    expect(net.terms('a')).toEqual([1, 1, 2, 4])
    // b and c acknowledge entry 3 (term 2): a majority holds it, but it is not of term 4
    for (const from of ['b', 'c']) a.node.step(message({ type: 'appResp', from, to: 'a', term: 4, index: 3 }))
    net.settle()
    expect(raftOf(a.node).log.committed).toBe(1)
    // once the term-4 entry is on a majority, both commit together
    for (const from of ['b', 'c']) a.node.step(message({ type: 'appResp', from, to: 'a', term: 4, index: 4 }))
    net.settle()
    expect(raftOf(a.node).log.committed).toBe(4)
  })

  it('the leader counts itself only after its own write is durable', () => {
    const storage = new MemoryStorage()
    storage.bootstrap(bootstrapSnapshot(['a', 'b', 'c']))
    const n = new RawNode({ id: 'a', storage, rng: new SeededRng(3) })
    n.campaign()
    let rd = n.ready()
    storage.setHardState(rd.hardState ?? { term: 0, vote: null, commit: 0 })
    n.advance(rd)
    n.step(message({ type: 'preVoteResp', from: 'b', to: 'a', term: 2 }))
    rd = n.ready()
    storage.setHardState(rd.hardState ?? { term: 0, vote: null, commit: 0 })
    n.advance(rd)
    n.step(message({ type: 'voteResp', from: 'b', to: 'a', term: 2 }))
    expect(raftOf(n).role).toBe('leader')
    rd = n.ready()
    // appends carry a term that is already durable: they may leave before the local write
    expect(rd.messagesNow.filter((m) => m.type === 'app')).toHaveLength(2)
    expect(rd.entries.map((e) => e.index)).toEqual([2])
    // b acknowledges entry 2 before the leader's write completes: 1 of 3 durable copies
    n.step(message({ type: 'appResp', from: 'b', to: 'a', term: 2, index: 2 }))
    expect(raftOf(n).log.committed).toBe(1)
    storage.append(rd.entries)
    n.advance(rd)
    expect(raftOf(n).log.committed).toBe(2)
  })

  it('messages of a term that is not durable yet wait for the write', () => {
    const net = new Network(['a', 'b', 'c'])
    net.campaign('a')
    const rd = net.get('a').readies.find((r) => r.messagesAfterPersist.some((m) => m.type === 'preVote'))
    expect(rd).toBeDefined()
    const voteRd = net.get('a').readies.find((r) => r.messagesAfterPersist.some((m) => m.type === 'vote'))
    expect(voteRd?.hardState).toMatchObject({ term: 2, vote: 'a' })
  })

  it('drops proposals without a leader, during a transfer and beyond maxUncommittedBytes', () => {
    const net = new Network(['a', 'b', 'c'], { maxUncommittedBytes: 10 })
    expect(() => net.get('b').node.propose(bytes('x'))).toThrow(ProposalDroppedError)
    net.campaign('a')
    net.isolate('a') // nothing commits any more
    net.get('a').node.propose(bytes('12345678'))
    expect(() => net.get('a').node.propose(bytes('12345678'))).toThrow(ProposalDroppedError)
    net.heal()
    net.settle()
    net.tickAll(1)
    net.get('a').node.propose(bytes('ok'))
    net.settle()
    net.cutLink('a', 'c')
    net.transferLeadership('a', 'c')
    expect(net.raft('a').leadTransferee).toBe('c')
    try {
      net.get('a').node.propose(bytes('during-transfer'))
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(ProposalDroppedError)
      expect((err as ProposalDroppedError).code).toBe('ERR_PROPOSAL_DROPPED')
    }
  })

  it('a follower never truncates committed entries', () => {
    const storage = new MemoryStorage()
    storage.bootstrap(bootstrapSnapshot(['a']))
    const log = new RaftLog(storage, Infinity)
    log.append([{ term: 2, index: 2, type: 'normal', data: bytes('a') }, { term: 2, index: 3, type: 'normal', data: bytes('b') }])
    log.commitTo(3)
    expect(() => log.maybeAppend(1, 1, 3, [{ term: 3, index: 2, type: 'normal', data: bytes('c') }])).toThrow(RaftInvariantError)
    // a matching prefix (duplicate delivery) is fine
    expect(log.maybeAppend(1, 1, 3, [{ term: 2, index: 2, type: 'normal', data: bytes('a') }])).toBe(2)
    expect(log.lastIndex()).toBe(3)
  })

  it('a rejoining follower with a divergent uncommitted suffix is repaired', () => {
    const net = new Network(['a', 'b', 'c'])
    net.campaign('a')
    net.isolate('a')
    // a accepts proposals that never reach anyone
    net.propose('a', 'lost-1')
    net.propose('a', 'lost-2')
    net.tick('b', 30)
    net.tick('c', 30)
    const leader = net.leader()
    expect(['b', 'c']).toContain(leader)
    net.propose(leader as string, 'kept')
    net.heal()
    net.tick(leader as string, 1)
    expect(net.raft('a').role).toBe('follower')
    expect(net.terms('a')).toEqual(net.terms(leader as string))
    expect(net.get('a').applied).toEqual(['kept'])
  })
})
