import type { PeerId, Pin } from '@cluster/api'
import { isClosestPeer } from '@cluster/monitor'

/** What the re-pin sweep needs from the peer. */
export interface RepinContext {
  self: string
  peerset: () => string[]
  pins: () => Iterable<Pin>
  repin: (pin: Pin, blacklist: string[]) => Promise<void>
}

/**
 * Re-allocates the pins of a failed (or removed) peer (cluster-behaviour.md §6): with
 * `onlyIfClosest`, only the peer closest to each CID acts (ping alerts reach every peer);
 * vacating a removed peer acts on all of them.
 */
export async function repinFrom (ctx: RepinContext, down: string, onlyIfClosest: boolean): Promise<RepinReport> {
  const peers = ctx.peerset()
  const affected: Pin[] = []
  let leftToOthers = 0
  for (const pin of ctx.pins()) {
    if (!(pin.allocations ?? []).includes(down as PeerId)) continue
    if (onlyIfClosest && !isClosestPeer(ctx.self, pin.cid, peers, down)) {
      leftToOthers++
      continue
    }
    affected.push(pin)
  }
  // Collected first: each re-pin is a commit, and the listing must not run under it.
  const report: RepinReport = { repinned: 0, failed: [], leftToOthers }
  for (const pin of affected) {
    try {
      await ctx.repin({ ...pin, allocations: [] }, [down])
      report.repinned++
    } catch (err) {
      report.failed.push({ cid: pin.cid.toString(), error: (err as Error).message })
    }
  }
  return report
}

/** What one re-pin sweep did: the failed pins are tried again by the next sweep. */
export interface RepinReport {
  repinned: number
  failed: Array<{ cid: string, error: string }>
  /** Pins of the down peer another member is closer to (it moves them). */
  leftToOthers: number
}

/** Runs `task` every `ms`, never two at once; returns the stop function. */
export function every (ms: number, task: () => Promise<void>): () => void {
  let running = false
  let stopped = false
  const timer = setInterval(() => {
    if (running || stopped) return
    running = true
    void task().finally(() => { running = false })
  }, ms)
  timer.unref()
  return () => { stopped = true; clearInterval(timer) }
}

/**
 * `task` as a trigger that never runs twice at once: a trigger during a run asks for one more
 * run after it, since what failed during the run may need it.
 */
export function coalesced (task: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined
  let again = false
  return async () => {
    if (running !== undefined) {
      again = true
      return await running
    }
    running = (async () => {
      do {
        again = false
        await task().catch(() => {})
      } while (again)
    })().finally(() => { running = undefined })
    return await running
  }
}
