// The first election of a start: the member whose ID sorts first campaigns as soon as it reaches
// a quorum, instead of every member waiting out its election timer (early-election.ts).
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { MemoryNetwork } from '@cluster/raft/node'
import { RaftConsensus } from '@cluster/consensus'
import { tempDir, track, until } from './helpers.ts'

const P1 = '12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR'
const P2 = '12D3KooWJ7JLjFub4u2vrx8asEMz5gnbA2U5199GcXMfWaStDbAV'
const P3 = '12D3KooWJVyhPXhspHCmP1qkstWB5HJ19j3REsBmBBpUEUEaiqzM'
const ids = [P1, P2, P3]
// P2's ID sorts first ('J7…' < 'JV…' < 'Nq…').
const FIRST = P2

function peer (net: MemoryNetwork, dir: string, id: string, heartbeatTimeoutMs: number, up: Set<string>): RaftConsensus {
  up.add(id)
  return track(new RaftConsensus({
    id, dataDir: join(dir, id), transport: net.transport(id),
    config: { heartbeatTimeoutMs, waitForLeaderTimeoutMs: 20_000, initPeerset: ids },
    reachable: other => up.has(other)
  }))
}

function leaderOf (c: RaftConsensus): string | undefined {
  try { return c.leader() } catch { return undefined }
}

describe('the first election of a start', () => {
  it('is won by the first member by ID as soon as a quorum is up, long before any election timer', async () => {
    const dir = tempDir()
    const net = new MemoryNetwork()
    const up = new Set<string>()
    // Election timers of 60–120 s: a leader within the wait below came from the early campaign.
    const first = peer(net, dir, FIRST, 60_000, up)
    await new Promise(resolve => setTimeout(resolve, 200))
    expect(leaderOf(first)).toBeUndefined()
    const others = [P1, P3].map(id => peer(net, dir, id, 60_000, up))
    await until(() => [first, ...others].every(c => leaderOf(c) === FIRST), 'every member to follow the first by ID', 10_000)
  })

  it('leaves a leader that is already there in place when the first member restarts alone', async () => {
    const dir = tempDir()
    const net = new MemoryNetwork()
    const up = new Set<string>()
    // The others elect one of themselves by their timers (100 ms heartbeat timeout).
    const others = [P1, P3].map(id => peer(net, dir, id, 100, up))
    await others[0]?.waitForLeader()
    const leader = others[0]?.leader()
    expect([P1, P3]).toContain(leader)
    const joined = peer(net, dir, FIRST, 100, up)
    await joined.readBarrier()
    // Restarted with a log as recent as the others': its campaign could win a vote, if they gave one.
    await joined.shutdown()
    up.delete(FIRST)
    const first = peer(net, dir, FIRST, 100, up)
    await until(() => leaderOf(first) === leader, 'the restarted member to follow the leader', 10_000)
    await first.readBarrier()
    // It campaigned at once; the others, hearing from their leader, ignored it.
    for (const c of [first, ...others]) expect(leaderOf(c)).toBe(leader)
  })
})
