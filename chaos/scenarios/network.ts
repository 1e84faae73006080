// A network partition between hosts: the leader cut off from the other two peers (each peer in
// its own network namespace), then healed.
import { sleep } from '../../bench/lib/load.ts'
import type { Scenario } from '../lib/scenario.ts'
import { leaderOf } from './peers.ts'

export const networkScenarios: Scenario[] = [
  {
    name: 'leader partitioned',
    what: 'network namespaces: cut the leader off from both followers for the hold time, then heal',
    env: 'netns',
    fault: async (ctx) => {
      const { cluster, netns } = ctx.env
      if (netns === undefined) throw new Error('this scenario needs network namespaces')
      const leader = await leaderOf(cluster)
      netns.partition(leader)
      ctx.note(`peer${leader} cut off for ${ctx.mode.holdMs / 1000} s`)
      try {
        await sleep(ctx.mode.holdMs)
        const next = cluster.leader()
        ctx.note(next === undefined || next === leader ? 'the majority side had no other leader' : `peer${next} led the majority side`)
      } finally {
        netns.heal()
      }
    }
  }
]
