import { describe, expect, it } from 'vitest'
import { decodeConfChange, encodeConfChange, message } from '../src/index.ts'
import { Network, bytes } from './harness.ts'
import { raftOf } from '../src/rawnode.ts'

describe('membership changes', () => {
  it('encodes and decodes configuration changes', () => {
    const cc = { type: 'addLearner' as const, nodeId: 'peer-1', context: bytes('/ip4/1.2.3.4') }
    expect(decodeConfChange(encodeConfChange(cc))).toEqual(cc)
    expect(decodeConfChange(encodeConfChange({ type: 'removeNode', nodeId: 'x' }))).toEqual({ type: 'removeNode', nodeId: 'x' })
  })

  it('adds a voter that starts with empty storage; it catches up and then counts in the quorum', () => {
    const net = new Network(['a', 'b', 'c'], { joiners: ['d'] })
    net.campaign('a')
    net.propose('a', 'before')
    net.proposeConfChange('a', { type: 'addNode', nodeId: 'd' })
    net.tick('a')
    const d = net.get('d')
    expect(d.confState?.voters).toEqual(['a', 'b', 'c', 'd'])
    expect(d.applied).toEqual(['before'])
    expect(net.raft('a').trk.confState().voters).toEqual(['a', 'b', 'c', 'd'])
    // 4 voters: a quorum is 3, so a and d alone cannot commit; a, b and d can
    net.isolate('c')
    net.cutLink('a', 'b')
    net.propose('a', 'x')
    expect(net.raft('a').log.committed).toBeLessThan(net.raft('a').log.lastIndex())
    net.heal()
    net.isolate('c')
    net.tick('a')
    expect(d.applied).toEqual(['before', 'x'])
  })

  it('removes a follower: it stops counting at once', () => {
    const net = new Network(['a', 'b', 'c'])
    net.campaign('a')
    net.proposeConfChange('a', { type: 'removeNode', nodeId: 'c' })
    expect(net.raft('a').trk.confState().voters).toEqual(['a', 'b'])
    net.isolate('c')
    net.propose('a', 'x')
    expect(net.get('b').applied).toEqual(['x'])
  })

  it('removing the leader: it commits its removal, steps down, and the rest elect a new leader', () => {
    const net = new Network(['a', 'b', 'c'])
    net.campaign('a')
    net.proposeConfChange('a', { type: 'removeNode', nodeId: 'a' })
    expect(net.raft('a').role).toBe('follower')
    expect(net.raft('b').trk.confState().voters).toEqual(['b', 'c'])
    net.tickAll(40)
    const leader = net.leader()
    expect(['b', 'c']).toContain(leader)
    net.propose(leader as string, 'after')
    expect(net.get('b').applied).toEqual(['after'])
    // the removed node can no longer campaign
    net.campaign('a')
    expect(net.raft('a').role).toBe('follower')
  })

  it('only one configuration change may be pending: a second one becomes an empty entry', () => {
    const net = new Network(['a', 'b', 'c'], { joiners: ['d', 'e'] })
    net.campaign('a')
    net.drop('appResp') // nothing commits
    net.get('a').node.proposeConfChange({ type: 'addNode', nodeId: 'd' })
    net.get('a').node.proposeConfChange({ type: 'addNode', nodeId: 'e' })
    net.settle()
    const types = net.get('a').readies.flatMap((r) => r.entries).filter((e) => e.index > 2).map((e) => e.type)
    expect(types).toEqual(['confChange', 'normal'])
    net.heal()
    net.tick('a')
    expect(net.raft('a').trk.confState().voters).toEqual(['a', 'b', 'c', 'd'])
  })

  it('a new leader refuses configuration changes until its first entry is applied', () => {
    const net = new Network(['a', 'b', 'c'], { joiners: ['d'] })
    net.drop('appResp')
    net.campaign('a')
    expect(net.raft('a').role).toBe('leader')
    net.get('a').node.proposeConfChange({ type: 'addNode', nodeId: 'd' })
    net.settle()
    const last = net.get('a').readies.flatMap((r) => r.entries).at(-1)
    expect(last?.type).toBe('normal')
    expect(last?.data.length).toBe(0)
  })

  it('a change appended by a deposed leader is committed by its successor (safe under leader change)', () => {
    const net = new Network(['a', 'b', 'c'], { joiners: ['d'] })
    net.campaign('a')
    net.addFilter((m) => !(m.type === 'appResp' && m.to === 'a'))
    net.proposeConfChange('a', { type: 'addNode', nodeId: 'd' })
    expect(net.raft('b').log.lastIndex()).toBe(3) // replicated, not committed
    expect(net.raft('a').trk.confState().voters).toEqual(['a', 'b', 'c'])
    net.heal()
    net.isolate('a')
    net.tick('b', 30)
    net.tick('c', 30)
    const leader = net.leader()
    expect(['b', 'c']).toContain(leader)
    net.tick(leader as string)
    expect(net.raft('b').trk.confState().voters).toEqual(['a', 'b', 'c', 'd'])
    expect(net.get('d').confState?.voters).toEqual(['a', 'b', 'c', 'd'])
  })

  it('learners receive the log but neither vote nor count in the quorum, and can be promoted', () => {
    const net = new Network(['a', 'b', 'c'], { joiners: ['l'] })
    net.campaign('a')
    net.proposeConfChange('a', { type: 'addLearner', nodeId: 'l' })
    net.propose('a', 'x')
    const l = net.get('l')
    expect(l.applied).toEqual(['x'])
    expect(raftOf(l.node).isLearner).toBe(true)
    net.tick('l', 100)
    expect(raftOf(l.node).role).toBe('follower') // never campaigns
    // a learner's acknowledgement does not make a quorum
    net.isolate('b')
    net.isolate('c')
    net.propose('a', 'y')
    expect(net.raft('a').log.committed).toBeLessThan(net.raft('a').log.lastIndex())
    net.heal()
    net.tick('a')
    // promotion
    net.proposeConfChange('a', { type: 'addNode', nodeId: 'l' })
    expect(net.raft('a').trk.confState()).toMatchObject({ voters: ['a', 'b', 'c', 'l'], learners: [] })
    expect(raftOf(l.node).isLearner).toBe(false)
  })

  it('responses from nodes outside the configuration are refused by RawNode.step', () => {
    const net = new Network(['a', 'b'])
    net.campaign('a')
    expect(() => net.get('a').node.step(message({ type: 'appResp', from: 'zz', to: 'a', term: 2, index: 1 }))).toThrow(/unknown peer/)
    expect(() => net.get('a').node.step(message({ type: 'hup', from: 'a', to: 'a' }))).toThrow(/local message/)
  })
})
