// The default consensus, CRDT, under the peer faults Raft gets: kill -9 of one, two and all three
// peers (each restarted after the hold time) and a peer stopped with SIGSTOP then resumed. There
// is no leader: every peer takes writes, and the clients write through every live one.
import { sleep } from '../../bench/lib/load.ts'
import type { Scenario } from '../lib/scenario.ts'
import { restartAll } from './peers.ts'

function crdtKill (name: string, what: string, victims: number[]): Scenario {
  return {
    name,
    what,
    env: 'crdt',
    fault: async (ctx) => {
      ctx.note(`killed peer${victims.join(', peer')}`)
      for (const i of victims) await ctx.env.cluster.kill(i)
      await sleep(ctx.mode.holdMs)
      await restartAll(ctx, victims)
    }
  }
}

export const crdtScenarios: Scenario[] = [
  crdtKill('crdt: kill -9 one peer', 'CRDT: SIGKILL one peer; restart it after the hold time', [0]),
  crdtKill('crdt: kill -9 two of three', 'CRDT: SIGKILL two peers; restart both', [1, 2]),
  crdtKill('crdt: kill -9 all three', 'CRDT: SIGKILL every peer; restart all', [0, 1, 2]),
  {
    name: 'crdt: SIGSTOP one peer',
    what: 'CRDT: SIGSTOP a peer (full: 20 s, small: 4 s), then SIGCONT',
    env: 'crdt',
    fault: async (ctx) => {
      ctx.note(`stopped peer1 for ${ctx.mode.pauseMs / 1000} s`)
      ctx.env.cluster.pause(1)
      try {
        await sleep(ctx.mode.pauseMs)
      } finally {
        ctx.env.cluster.resume(1)
      }
    }
  }
]
