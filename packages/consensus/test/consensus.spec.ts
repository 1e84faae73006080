import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir, track, until } from './helpers.ts'
import { defaultPinOptions, parseCid, Timestamp, type Pin } from '@cluster/api'
import { MemoryNetwork } from '@cluster/raft/node'
import { CommitError, DataFolderError, PinsetState, RaftConsensus, StateFormatError } from '@cluster/consensus'

const CIDS = [
  'bafybeiffd3lbj7yhtdcstalnjfhpmgg37obes2zrgejyo5mfgni2s4yipa',
  'bafkreig6bm26z4gfprwdams273vb6strmhzg7yrfh6wdtvfqsa2x4zkylm',
  'QmSZNMb8uztNA4S2yzEKQtSoEc1VPAxog91JAjR9Ye1deS'
]

function pin (cid: string, name = '', allocations: string[] = []): Pin {
  return {
    ...defaultPinOptions(), name, replicationFactorMin: -1, replicationFactorMax: -1,
    cid: parseCid(cid), type: 'pin', allocations, maxDepth: -1, reference: undefined, timestamp: Timestamp.fromDate(new Date())
  }
}

const fast = { heartbeatTimeoutMs: 100, waitForLeaderTimeoutMs: 10_000, commitRetries: 3, commitRetryDelayMs: 20 }

function peer (net: MemoryNetwork, dir: string, id: string, initPeerset: string[], tracked: string[] = []): RaftConsensus {
  const c = new RaftConsensus({
    id, dataDir: join(dir, id), transport: net.transport(id), config: { ...fast, initPeerset },
    hooks: { onPin: p => tracked.push(`track ${p.cid.toString()}`), onUnpin: p => tracked.push(`untrack ${p.cid.toString()}`) }
  })
  track(c)
  return c
}

const P1 = '12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR'
const P2 = '12D3KooWJ7JLjFub4u2vrx8asEMz5gnbA2U5199GcXMfWaStDbAV'
const P3 = '12D3KooWJVyhPXhspHCmP1qkstWB5HJ19j3REsBmBBpUEUEaiqzM'

describe('RaftConsensus', () => {
  const ids = [P1, P2, P3]

  it('commits pins and unpins from any peer to every peer\'s pinset, and tells the tracker', async () => {
    const dir = tempDir()
    const net = new MemoryNetwork()
    const tracked: string[] = []
    const peers = ids.map(id => peer(net, dir, id, ids, id === P3 ? tracked : []))
    await peers[0]?.waitForLeader()
    const follower = peers.find(p => !p.isLeader()) as RaftConsensus

    await follower.logPin(pin(CIDS[0] as string, 'dataset', [P1, P2]))
    await follower.logPin(pin(CIDS[1] as string))
    await follower.logUnpin(pin(CIDS[1] as string))
    for (const p of peers) await p.readBarrier()
    for (const p of peers) {
      expect([...p.state.list()].map(x => [x.cid.toString(), x.name, x.allocations])).toEqual([[CIDS[0], 'dataset', [P1, P2]]])
    }
    expect(tracked).toEqual([`track ${CIDS[0]}`, `track ${CIDS[1]}`, `untrack ${CIDS[1]}`])
    expect(peers[2]?.peers()).toEqual([P1, P2, P3].sort())
  })

  it('keeps the pinset across a restart and replays only what it missed', async () => {
    const dir = tempDir()
    const net = new MemoryNetwork()
    const peers = ids.map(id => peer(net, dir, id, ids))
    await peers[0]?.waitForLeader()
    await peers[0]?.logPin(pin(CIDS[0] as string, 'a'))
    await until(() => peers[2]?.state.count() === 1, 'p3 to apply the pin')
    await peers[2]?.shutdown()

    await peers[0]?.logPin(pin(CIDS[2] as string, 'missed while down'))
    const tracked: string[] = []
    const back = peer(net, dir, P3, ids, tracked)
    expect(back.state.count()).toBe(1)
    await back.readBarrier()
    expect([...back.state.list()].map(p => p.name).sort()).toEqual(['a', 'missed while down'])
    // Only the entry applied after the restart reaches the tracker.
    expect(tracked).toEqual([`track ${CIDS[2]}`])
  })

  it('adds and removes peers; a lone peer cannot remove itself', async () => {
    const dir = tempDir()
    const net = new MemoryNetwork()
    const solo = peer(net, dir, P1, [P1])
    await solo.waitForLeader()
    await expect(solo.rmPeer(P1)).rejects.toThrow(new CommitError('cannot remove ourselves from a 1-peer cluster'))
    await solo.logPin(pin(CIDS[0] as string))

    const joiner = peer(net, dir, P2, [P1])
    await solo.addPeer(P2)
    await solo.addPeer(P2)
    expect(solo.peers()).toEqual([P1, P2].sort())
    await until(() => joiner.state.count() === 1, 'the new peer to receive the pinset')

    await solo.rmPeer(P2)
    await solo.rmPeer(P3)
    expect(solo.peers()).toEqual([P1])
  })

  it('skips a committed entry that does not decode on every peer, without stopping', async () => {
    const dir = tempDir()
    const state = new PinsetState(join(dir, 'pins.sqlite'), { onInvalidOp: (_err, index) => skipped.push(index) })
    const skipped: number[] = []
    state.apply(new Uint8Array([1, 123, 125]), 7)
    state.apply(new Uint8Array([9]), 8)
    expect(skipped).toEqual([7, 8])
    expect(state.appliedIndex()).toBe(8)
    expect(state.count()).toBe(0)
    state.close()
  })

  it('refuses to propose a pin that would not decode on the other peers', async () => {
    const dir = tempDir()
    const solo = peer(new MemoryNetwork(), dir, P1, [P1])
    await solo.waitForLeader()
    await expect(solo.logPin(pin(CIDS[0] as string, '', ['not-a-peer-id']))).rejects.toBeInstanceOf(StateFormatError)
    expect(solo.state.count()).toBe(0)
  })
})

describe('data folders it cannot use', () => {
  it('refuses a Go peer\'s Raft store with what to do instead of starting from an empty pinset', () => {
    const dir = tempDir()
    mkdirSync(join(dir, 'a'))
    writeFileSync(join(dir, 'a', 'raft.db'), Buffer.alloc(4096, 1))
    expect(() => peer(new MemoryNetwork(), dir, 'a', ['a'])).toThrow(DataFolderError)
    expect(() => peer(new MemoryNetwork(), dir, 'a', ['a'])).toThrow(/Go IPFS Cluster peer \(raft\.db\).*state export/)
    expect(existsSync(join(dir, 'a', 'raft.sqlite'))).toBe(false)
  })

  it('moves an unreadable pinset aside and starts from the Raft log; refuses nothing it can repair', async () => {
    const dir = tempDir()
    const first = peer(new MemoryNetwork(), dir, 'a', ['a'])
    await first.waitForLeader()
    await first.logPin(pin(CIDS[0] as string, 'kept'))
    await first.shutdown()
    const garbage = Buffer.from('this is not an SQLite database, just some text '.repeat(200))
    writeFileSync(join(dir, 'a', 'pinset.sqlite'), garbage)
    const back = peer(new MemoryNetwork(), dir, 'a', ['a'])
    await back.waitForLeader()
    await until(() => back.state.count() === 1, 'the pinset rebuilt from the log')
    const aside = readdirSync(join(dir, 'a')).find(f => f.startsWith('pinset.sqlite.damaged-')) as string
    expect(readFileSync(join(dir, 'a', aside)).equals(garbage)).toBe(true)
  })
})
