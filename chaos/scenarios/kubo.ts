// The IPFS daemon beside a peer dies or stalls: a real Kubo killed with SIGKILL under load,
// restarted on the same repository and API address; a real Kubo stopped with SIGSTOP (it holds
// its connections open and answers nothing), then resumed.
import { Agent } from 'node:http'
import type { KuboDaemon } from '@cluster/test-utils'
import { sleep, streamNdjson } from '../../bench/lib/load.ts'
import { restartKubo } from '../lib/environments.ts'
import type { FaultContext, Scenario } from '../lib/scenario.ts'
import { leaderOf } from './peers.ts'

/** The peer whose Kubo was hit, per cluster environment. */
const victims = new WeakMap<object, number>()

/** What the peer whose Kubo was hit reports for its own pins once the cluster has settled. */
async function noteVictimStatuses (ctx: FaultContext): Promise<void> {
  const victim = victims.get(ctx.env) ?? -1
  const peer = ctx.env.cluster.peers[victim]
  if (peer === undefined) return
  const statuses = new Map<string, number>()
  const agent = new Agent()
  try {
    await streamNdjson(agent, `${peer.restUrl}/pins?local=true`, (info: { peer_map: Record<string, { status: string }> }) => {
      for (const s of Object.values(info.peer_map)) statuses.set(s.status, (statuses.get(s.status) ?? 0) + 1)
    }, 30_000)
    ctx.note(`peer${victim} local statuses at the end: ${[...statuses].map(([s, n]) => `${s} ${n}`).join(', ')}`)
  } catch (err) {
    ctx.note(`peer${victim} local statuses unavailable: ${(err as Error).message.slice(0, 120)}`)
  } finally {
    agent.destroy()
  }
}

/** A fault on the leader's real Kubo (`hit` does it and notes it); its peer's statuses noted after. */
function kuboScenario (name: string, what: string, hit: (ctx: FaultContext, kubos: KuboDaemon[], victim: number) => Promise<void>): Scenario {
  return {
    name,
    what,
    env: 'kubo',
    maxPins: mode => mode.kuboBlocks,
    fault: async (ctx) => {
      const { cluster, kubos } = ctx.env
      if (kubos === undefined) throw new Error('this scenario needs real Kubo daemons')
      const victim = await leaderOf(cluster)
      victims.set(ctx.env, victim)
      await hit(ctx, kubos, victim)
    },
    // Pins that failed while Kubo was gone wait for the recover interval: informational.
    after: noteVictimStatuses
  }
}

export const kuboScenarios: Scenario[] = [
  kuboScenario('Kubo kill -9 + restart', "real Kubo per peer: SIGKILL the leader's Kubo, restart it after the hold time", async (ctx, kubos, victim) => {
    ctx.note(`killed peer${victim}'s Kubo for ${ctx.mode.holdMs / 1000} s`)
    await restartKubo(kubos, victim, ctx.mode.holdMs)
  }),
  kuboScenario('Kubo SIGSTOP', "real Kubo per peer: SIGSTOP the leader's Kubo (full: 20 s, small: 4 s), then SIGCONT", async (ctx, kubos, victim) => {
    ctx.note(`stopped peer${victim}'s Kubo for ${ctx.mode.pauseMs / 1000} s`)
    const kubo = kubos[victim] as KuboDaemon
    process.kill(kubo.pid, 'SIGSTOP')
    try {
      await sleep(ctx.mode.pauseMs)
    } finally {
      process.kill(kubo.pid, 'SIGCONT')
    }
  })
]
