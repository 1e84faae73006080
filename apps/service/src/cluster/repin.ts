import { parseCid, type CID, type PeerId, type Pin, type PinSearch } from '@cluster/api'
import { isClosestPeer } from '@cluster/monitor'

/** What the re-pin sweep needs from the peer. */
export interface RepinContext {
  self: string
  peerset: () => string[]
  /** The pins allocated to `peer`, a page at a time (the pinset's allocation index). */
  allocatedTo: (peer: string) => Iterable<Pin[]>
  /** The pin re-allocated away from `blacklist`, as a single re-pin would commit it; throws where it cannot move. */
  prepare: (pin: Pin, blacklist: string[]) => Promise<Pin>
  /** Commits prepared re-pins in as few consensus entries as fit; each group with its error, if any. */
  commit: (pins: Pin[]) => AsyncIterable<{ pins: Pin[], error?: Error }>
}

/** The pins allocated to `peer`, a page at a time, through the pinset's allocation index. */
export function * pinsAllocatedTo (state: { searchCids: (search: PinSearch) => Iterable<string[]>, get: (cid: CID) => Pin | undefined }, peer: string): Generator<Pin[]> {
  for (const cids of state.searchCids({ allocations: [peer as PeerId] })) {
    yield cids.map(cid => state.get(parseCid(cid))).filter((pin): pin is Pin => pin !== undefined)
  }
}

/**
 * Consecutive failed re-pins after which a sweep stops: the cluster cannot re-allocate now (no
 * other peer has fresh metrics, or consensus is unavailable), and trying each of a million pins
 * would only keep this peer busy. The next sweep starts again.
 */
export const GIVE_UP_AFTER_FAILURES = 32

/**
 * Re-allocates the pins of a failed (or removed) peer (cluster-behaviour.md §6): with
 * `onlyIfClosest`, only the peer closest to each CID acts (ping alerts reach every peer);
 * vacating a removed peer acts on all of them. Only the down peer's pins are read (through the
 * allocation index, a page at a time, with a turn of the event loop between pages); each page's
 * re-pins are prepared one by one (allocation) and committed together, not one consensus round
 * per pin as Go does; a sweep whose re-pins keep failing stops early.
 */
export async function repinFrom (ctx: RepinContext, down: string, onlyIfClosest: boolean): Promise<RepinReport> {
  const peers = ctx.peerset()
  const report: RepinReport = { repinned: 0, failed: 0, leftToOthers: 0, stopped: false }
  let failingInARow = 0
  /** Preparations failed GIVE_UP_AFTER_FAILURES times in a row: the rest of the page is left. */
  let gaveUp = false
  const fail = (n: number, cid: string, err: Error): void => {
    report.failed += n
    report.firstError ??= { cid, error: err.message }
    failingInARow += n
  }
  for (const page of ctx.allocatedTo(down)) {
    // Collected first (the page is read before its re-pins commit, as every page is).
    const ready: Pin[] = []
    for (const pin of page) {
      if (!(pin.allocations ?? []).includes(down as PeerId)) continue
      if (onlyIfClosest && !isClosestPeer(ctx.self, pin.cid, peers, down)) {
        report.leftToOthers++
        continue
      }
      try {
        ready.push(await ctx.prepare({ ...pin, allocations: [] }, [down]))
        failingInARow = 0
      } catch (err) {
        fail(1, pin.cid.toString(), err as Error)
        if (failingInARow >= GIVE_UP_AFTER_FAILURES) {
          gaveUp = true
          break
        }
      }
    }
    // What was prepared before giving up is still committed.
    if (ready.length > 0) {
      for await (const group of ctx.commit(ready)) {
        if (group.error === undefined) {
          report.repinned += group.pins.length
          failingInARow = 0
        } else {
          fail(group.pins.length, group.pins[0]?.cid.toString() ?? '', group.error)
        }
      }
    }
    if (gaveUp || failingInARow >= GIVE_UP_AFTER_FAILURES) {
      // The rest is not even read: the next sweep starts again from the first page.
      report.stopped = true
      return report
    }
    await new Promise(resolve => setImmediate(resolve))
  }
  return report
}

/** What one re-pin sweep did: the failed (and, when stopped, the untried) pins are for the next sweep. */
export interface RepinReport {
  repinned: number
  failed: number
  /** The first failure (the others are often the same). */
  firstError?: { cid: string, error: string }
  /** Pins of the down peer another member is closer to (it moves them); of those read when stopped. */
  leftToOthers: number
  /** The sweep gave up after GIVE_UP_AFTER_FAILURES failures in a row; pins were left untried. */
  stopped: boolean
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
