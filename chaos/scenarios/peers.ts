// Peers dying and stalling: kill -9 of the leader, of a follower, of two peers, of all three
// (each restarted after the hold time), and the leader or a follower stopped with SIGSTOP then
// resumed (a stopped follower keeps its connections open: what the leader sends it piles up).
import { sleep } from '../../bench/lib/load.ts'
import type { ChaosCluster } from '../lib/cluster.ts'
import type { FaultContext, Scenario } from '../lib/scenario.ts'

/** The current leader (bounded wait), or an error that ends the scenario. */
export async function leaderOf (cluster: ChaosCluster, timeoutMs = 15_000): Promise<number> {
  const leader = await cluster.waitLeader(timeoutMs)
  if (leader === undefined) throw new Error(`no Raft leader known to a majority within ${timeoutMs} ms`)
  return leader
}

export function followersOf (cluster: ChaosCluster, leader: number): number[] {
  return cluster.peers.map(p => p.index).filter(i => i !== leader)
}

/** Restarts peers; one that does not come back is noted (its exit, if any, is a crash). */
export async function restartAll (ctx: FaultContext, indexes: number[]): Promise<void> {
  for (const i of indexes) {
    if (!await ctx.env.cluster.restart(i, ctx.mode.restartMs)) ctx.note(`peer${i} did not answer within ${ctx.mode.restartMs / 1000} s of its restart`)
  }
}

/** SIGSTOP of peer `index` for the mode's pause time, then SIGCONT; `atEnd` runs just before it. */
export async function stopFor (ctx: FaultContext, index: number, atEnd?: () => void): Promise<void> {
  ctx.note(`stopped peer${index} for ${ctx.mode.pauseMs / 1000} s`)
  ctx.env.cluster.pause(index)
  try {
    await sleep(ctx.mode.pauseMs)
    atEnd?.()
  } finally {
    ctx.env.cluster.resume(index)
  }
}

function killScenario (name: string, what: string, pick: (cluster: ChaosCluster, leader: number) => number[]): Scenario {
  return {
    name,
    what,
    env: 'stand-in',
    fault: async (ctx) => {
      const { cluster } = ctx.env
      const victims = pick(cluster, await leaderOf(cluster))
      ctx.note(`killed peer${victims.join(', peer')}`)
      for (const i of victims) await cluster.kill(i)
      await sleep(ctx.mode.holdMs)
      await restartAll(ctx, victims)
    }
  }
}

export const peerScenarios: Scenario[] = [
  killScenario('kill -9 leader', 'SIGKILL the Raft leader; restart it after the hold time', (_, leader) => [leader]),
  killScenario('kill -9 follower', 'SIGKILL a follower; restart it after the hold time', (c, leader) => followersOf(c, leader).slice(0, 1)),
  killScenario('kill -9 two of three', 'SIGKILL the leader and a follower (no quorum left); restart both', (c, leader) => [leader, ...followersOf(c, leader).slice(0, 1)]),
  killScenario('kill -9 all three', 'SIGKILL every peer; restart all', c => c.peers.map(p => p.index)),
  {
    name: 'SIGSTOP leader',
    what: 'SIGSTOP the leader (full: 20 s, small: 4 s), then SIGCONT',
    env: 'stand-in',
    fault: async (ctx) => {
      const { cluster } = ctx.env
      await stopFor(ctx, await leaderOf(cluster), () => {
        const next = cluster.leader()
        ctx.note(next === undefined ? 'no new leader while it was stopped' : `peer${next} led while it was stopped`)
      })
    }
  },
  {
    name: 'SIGSTOP follower',
    what: 'SIGSTOP a follower (full: 20 s, small: 4 s), then SIGCONT',
    env: 'stand-in',
    fault: async (ctx) => {
      const { cluster } = ctx.env
      const leader = await leaderOf(cluster)
      // What the leader holds for the follower that reads nothing shows in its memory.
      let leaderPeak = 0
      const sampler = setInterval(() => { leaderPeak = Math.max(leaderPeak, cluster.rssMiB()[leader] ?? 0) }, 500)
      try {
        await stopFor(ctx, followersOf(cluster, leader)[0] as number)
      } finally {
        clearInterval(sampler)
      }
      ctx.note(`leader peer${leader}: peak RSS ${leaderPeak} MiB while it was stopped`)
    }
  }
]
