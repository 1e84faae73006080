// A peer's data: a follower away while many entries commit (it must come back through an
// installed snapshot), garbage in a stopped peer's pinset database, and its Raft log file
// truncated to nothing.
import { randomBytes } from 'node:crypto'
import { openSync, closeSync, statSync, truncateSync, writeSync } from 'node:fs'
import { basename, join } from 'node:path'
import type { FaultContext, Scenario } from '../lib/scenario.ts'
import { followersOf, leaderOf, restartAll } from './peers.ts'

/** Snapshots every tenth of the entries committed while the follower is away, keeping few. */
function smallSnapshots (catchUpPins: number): (config: Record<string, any>) => void {
  const threshold = Math.max(100, Math.floor(catchUpPins / 10))
  return (config) => {
    config.consensus.raft.snapshot_threshold = threshold
    config.consensus.raft.trailing_logs = Math.floor(threshold / 2)
    config.consensus.raft.snapshot_interval = '1s'
  }
}

/** Stops a follower gracefully, lets `damage` touch its Raft data folder, restarts it. */
async function damageFollower (ctx: FaultContext, what: string, damage: (raftFolder: string) => void): Promise<void> {
  const { cluster } = ctx.env
  const [victim] = followersOf(cluster, await leaderOf(cluster)) as [number]
  await cluster.stopPeer(victim)
  damage(join(cluster.peers[victim]?.folder as string, 'raft'))
  ctx.note(`peer${victim}: ${what}`)
  await restartAll(ctx, [victim])
}

/** Overwrites the second quarter of a file with random bytes (pages past the header). */
export function scribble (file: string): string {
  const size = statSync(file).size
  const start = Math.max(4096, Math.floor(size / 4))
  const length = Math.max(0, Math.min(Math.floor(size / 4), size - start))
  const fd = openSync(file, 'r+')
  try { writeSync(fd, randomBytes(length), 0, length, start) } finally { closeSync(fd) }
  return `${length} random bytes written at offset ${start} of ${basename(file)} (${size} bytes)`
}

export const dataScenarios: Scenario[] = [
  {
    name: 'follower away, snapshot catch-up',
    what: 'stop a follower; commit many entries (full: 100k, small: 4k) with a small snapshot threshold; restart it',
    env: 'stand-in',
    configure: mode => smallSnapshots(mode.catchUpPins),
    maxPins: mode => mode.catchUpPins + mode.maxPins,
    fault: async (ctx) => {
      const { cluster } = ctx.env
      const [victim] = followersOf(cluster, await leaderOf(cluster)) as [number]
      await cluster.stopPeer(victim)
      const before = ctx.load.count
      const t0 = Date.now()
      const reached = await ctx.load.waitFor(before + ctx.mode.catchUpPins, ctx.mode.catchUpMs)
      ctx.note(`${ctx.load.count - before} pins committed in ${((Date.now() - t0) / 1000).toFixed(0)} s while peer${victim} was stopped` +
        (reached ? '' : ` (of ${ctx.mode.catchUpPins} planned: time limit reached)`))
      await restartAll(ctx, [victim])
    }
  },
  {
    name: 'garbage in pinset.sqlite',
    what: 'stop a follower, write random bytes into its pinset database, restart it',
    env: 'stand-in',
    fault: async (ctx) => {
      await damageFollower(ctx, 'garbage in the pinset', folder => { ctx.note(scribble(join(folder, 'pinset.sqlite'))) })
    }
  },
  {
    name: 'raft.sqlite truncated',
    what: 'stop a follower, truncate its Raft log file to 0 bytes, restart it',
    env: 'stand-in',
    fault: async (ctx) => {
      await damageFollower(ctx, 'raft.sqlite truncated to 0 bytes', folder => { truncateSync(join(folder, 'raft.sqlite'), 0) })
    }
  }
]
