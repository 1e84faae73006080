// The default consensus, CRDT, under the peer faults Raft gets: kill -9 of one, two and all three
// peers (each restarted after the hold time), a peer stopped with SIGSTOP then resumed, and a
// stopped peer's files damaged (its pinset view written over; every CRDT file emptied). There
// is no leader: every peer takes writes, and the clients write through every live one.
import { existsSync, truncateSync } from 'node:fs'
import { join } from 'node:path'
import { until } from '@cluster/test-utils'
import { sleep } from '../../bench/lib/load.ts'
import type { FaultContext, Scenario } from '../lib/scenario.ts'
import { scribble } from './data.ts'
import { restartAll, stopFor } from './peers.ts'

const VICTIM = 2

/**
 * Takes peer2 out of the clients' way, waits until the others hold every pin it holds (what only
 * it had would go with its files: that is a lost disk, not a fault the cluster can mend), stops
 * it, lets `damage` touch its CRDT folder and restarts it: it must come back with everything.
 */
async function damageCrdtPeer (ctx: FaultContext, what: string, damage: (crdtFolder: string) => void): Promise<void> {
  const { cluster } = ctx.env
  cluster.down.add(VICTIM)
  // Requests already sent to it finish (the slowest acknowledgements here take well under 1 s).
  await sleep(2_000)
  await until(async () => {
    const [own, other] = await Promise.all([cluster.allocations(VICTIM, 10_000), cluster.allocations(0, 10_000)])
    if (own instanceof Error || other instanceof Error) return undefined
    return [...own].every(cid => other.has(cid)) ? true : undefined
  }, `peer0 to hold every pin of peer${VICTIM}`, ctx.mode.settleMs, 500)
  await cluster.stopPeer(VICTIM)
  damage(join(cluster.peers[VICTIM]?.folder as string, 'crdt'))
  ctx.note(`peer${VICTIM}: ${what}`)
  await restartAll(ctx, [VICTIM])
}

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

/** A scenario stopping peer2, doing `damage` to its CRDT folder and restarting it (damageCrdtPeer). */
function crdtDamage (name: string, what: string, noted: string, damage: (crdtFolder: string, ctx: FaultContext) => void): Scenario {
  return {
    name,
    what: `CRDT: stop a peer, ${what}, restart it`,
    env: 'crdt',
    fault: async (ctx) => { await damageCrdtPeer(ctx, noted, folder => { damage(folder, ctx) }) }
  }
}

export const crdtScenarios: Scenario[] = [
  crdtKill('crdt: kill -9 one peer', 'CRDT: SIGKILL one peer; restart it after the hold time', [0]),
  crdtKill('crdt: kill -9 two of three', 'CRDT: SIGKILL two peers; restart both', [1, 2]),
  crdtKill('crdt: kill -9 all three', 'CRDT: SIGKILL every peer; restart all', [0, 1, 2]),
  crdtDamage('crdt: pinset view damaged', 'write random bytes into its pinset view (pinset.sqlite)', 'garbage in the pinset view',
    (folder, ctx) => { ctx.note(scribble(join(folder, 'pinset.sqlite'))) }),
  crdtDamage('crdt: every CRDT file emptied', 'truncate its CRDT store, block store and pinset view to 0 bytes',
    'crdt.sqlite, blocks.sqlite and pinset.sqlite truncated to 0 bytes', folder => {
      for (const file of ['crdt.sqlite', 'blocks.sqlite', 'pinset.sqlite']) {
        const path = join(folder, file)
        if (existsSync(path)) truncateSync(path, 0)
      }
    }),
  {
    name: 'crdt: SIGSTOP one peer',
    what: 'CRDT: SIGSTOP a peer (full: 20 s, small: 4 s), then SIGCONT',
    env: 'crdt',
    fault: async (ctx) => { await stopFor(ctx, 1) }
  }
]
