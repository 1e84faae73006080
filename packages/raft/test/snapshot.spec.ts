import { describe, expect, it } from 'vitest'
import { CompactedError, MemoryStorage, SnapshotOutOfDateError, UnavailableError, bootstrapSnapshot, emptyConfState, message } from '../src/index.ts'
import { Network, bytes } from './harness.ts'
import { raftOf } from '../src/rawnode.ts'

describe('log compaction and snapshots', () => {
  it('MemoryStorage serves entries, terms and compaction errors like the interface says', () => {
    const s = new MemoryStorage()
    s.bootstrap(bootstrapSnapshot(['a']))
    s.append([2, 3, 4, 5].map((index) => ({ term: 2, index, type: 'normal' as const, data: bytes(`e${index}`) })))
    expect(s.firstIndex()).toBe(2)
    expect(s.lastIndex()).toBe(5)
    expect(s.term(1)).toBe(1)
    expect(s.entries(2, 6, Infinity)).toHaveLength(4)
    expect(s.entries(2, 6, 1)).toHaveLength(1) // at least one entry
    s.createSnapshot(4, { ...emptyConfState(), voters: ['a'] }, bytes('state@4'))
    s.compact(3)
    expect(s.firstIndex()).toBe(4)
    expect(s.term(3)).toBe(2)
    expect(() => s.term(2)).toThrow(CompactedError)
    expect(() => s.entries(3, 5, Infinity)).toThrow(CompactedError)
    expect(() => s.term(9)).toThrow(UnavailableError)
    expect(() => s.createSnapshot(3, emptyConfState(), bytes(''))).toThrow(SnapshotOutOfDateError)
    // overwriting a suffix
    s.append([{ term: 3, index: 5, type: 'normal', data: bytes('new5') }])
    expect(s.term(5)).toBe(3)
    expect(s.lastIndex()).toBe(5)
  })

  it('a follower behind the compacted log is caught up with InstallSnapshot, then with appends', () => {
    const net = new Network(['a', 'b', 'c'])
    net.campaign('a')
    net.isolate('c')
    for (let i = 0; i < 10; i++) net.propose('a', `v${i}`)
    net.compact('a')
    expect(net.raft('a').log.firstIndex()).toBe(13)
    net.heal()
    net.tick('a') // heartbeat -> c is behind the first index -> snapshot
    const snaps = net.log.filter((m) => m.type === 'snap' && m.to === 'c')
    expect(snaps).toHaveLength(1)
    expect(snaps[0]?.snapshot?.metadata.index).toBe(12)
    const c = net.get('c')
    expect(c.applied).toEqual(Array.from({ length: 10 }, (_, i) => `v${i}`))
    expect(c.storage.snapshot().metadata.index).toBe(12)
    net.get('a').node.reportSnapshot('c', true)
    net.propose('a', 'after')
    expect(c.applied.at(-1)).toBe('after')
    expect(net.raft('a').trk.progress.get('c')?.state).toBe('replicate')
  })

  it('keeps trailing entries so a slightly lagging follower needs no snapshot', () => {
    const net = new Network(['a', 'b', 'c'])
    net.campaign('a')
    net.isolate('c')
    for (let i = 0; i < 5; i++) net.propose('a', `v${i}`)
    net.compact('a', 10)
    net.heal()
    net.tick('a')
    expect(net.log.some((m) => m.type === 'snap')).toBe(false)
    expect(net.get('c').applied).toHaveLength(5)
  })

  it('a follower ignores a snapshot older than its commit index', () => {
    const net = new Network(['a', 'b', 'c'])
    net.campaign('a')
    for (let i = 0; i < 3; i++) net.propose('a', `v${i}`)
    const snap = net.get('a').storage.snapshot() // the bootstrap snapshot at index 1
    const b = net.get('b')
    const committed = raftOf(b.node).log.committed
    b.node.step(message({ type: 'snap', from: 'a', to: 'b', term: net.raft('a').term, snapshot: snap }))
    net.settle()
    expect(raftOf(b.node).log.committed).toBe(committed)
    expect(b.applied).toEqual(['v0', 'v1', 'v2'])
    const resp = net.log.filter((m) => m.type === 'appResp' && m.from === 'b').at(-1)
    expect(resp?.index).toBe(committed)
  })

  it('a failed snapshot send returns the follower to probing, and it is retried', () => {
    const net = new Network(['a', 'b', 'c'])
    net.campaign('a')
    net.isolate('c')
    for (let i = 0; i < 4; i++) net.propose('a', `v${i}`)
    net.compact('a')
    net.heal()
    net.drop('snap')
    net.tick('a')
    const pr = net.raft('a').trk.progress.get('c')
    expect(pr?.state).toBe('snapshot')
    net.get('a').node.reportSnapshot('c', false)
    expect(pr?.state).toBe('probe')
    net.heal()
    net.tick('a')
    expect(net.get('c').applied).toHaveLength(4)
  })

  it('a node restarts from its snapshot and the log after it', () => {
    const net = new Network(['a', 'b', 'c'])
    net.campaign('a')
    for (let i = 0; i < 4; i++) net.propose('a', `v${i}`)
    net.compact('b')
    net.propose('a', 'v4')
    const b = net.restart('b')
    expect(b.applied).toEqual(['v0', 'v1', 'v2', 'v3'])
    net.tick('a')
    expect(b.applied).toEqual(['v0', 'v1', 'v2', 'v3', 'v4'])
  })
})
