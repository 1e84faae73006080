// A network partition between hosts (each peer in its own network namespace): the Raft leader cut
// off from the other two peers, then healed; and the same with CRDT, where there is no leader and
// both sides keep taking writes, so the two halves of the pinset must merge once healed.
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
  },
  {
    name: 'crdt: peer partitioned',
    what: 'CRDT, network namespaces, replication factor min 1 / max 2: cut one peer off from the other two for the hold time while clients write through all three (both sides keep accepting pins), then heal',
    env: 'crdt-netns',
    // With a minimum of 1 the cut-off peer allocates to itself once the others' metrics expire:
    // both sides grow their own branch of the pinset for the whole cut.
    configure: () => (config) => { config.cluster.replication_factor_min = 1 },
    fault: async (ctx) => {
      const { netns } = ctx.env
      if (netns === undefined) throw new Error('this scenario needs network namespaces')
      const isolated = 0
      netns.partition(isolated)
      ctx.note(`peer${isolated} cut off for ${ctx.mode.holdMs / 1000} s`)
      try {
        await sleep(ctx.mode.holdMs)
      } finally {
        netns.heal()
      }
    }
  }
]
