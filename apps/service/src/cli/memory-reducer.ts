/**
 * Gives memory back to the system once a burst is over. After a burst of requests V8 keeps the
 * pages it grew into: an ordinary full GC shrinks the heap (heapTotal) but leaves those pages
 * mapped, so a peer that served a flood of listings stayed at 2–3× its resting RSS for good
 * (measured: 187 MiB fresh, 355 MiB after, with 40 MiB of live heap). Its start is such a burst
 * too: loading the state and checking every pin against IPFS grows the young generation to its
 * cap (32 MiB committed, a few MiB in use) and it stayed there while the peer idled. V8's "last
 * resort" collection releases those pages and shrinks the young generation back to 1 MiB (a test
 * program: 340 → 63 MiB). It costs a few full GCs (a pause of tens of milliseconds on a peer's
 * heap), so it runs only when the event loop was not saturated since the last check, when there is
 * something to give back (RSS well above its resting level, or V8 holding 8 MiB more heap than it
 * uses), and not more often than every other interval (30 s); what it cannot give back becomes the new
 * resting level.
 */
import { performance } from 'node:perf_hooks'
import v8 from 'node:v8'
import vm from 'node:vm'

export interface MemoryReducerOptions {
  /** How often to look (default 15 s). */
  checkMs?: number
  /** The first look, after the start's burst, and the next ones until a collection ran (default 2 s). */
  firstCheckMs?: number
  /** How long after the reducer's start looks come every firstCheckMs at most (default 30 s). */
  settleMs?: number
  /** Event-loop utilisation over a check interval under which a collection may run (default 0.5). */
  idleBelow?: number
  /** RSS above the resting level that is worth a collection, in bytes (default 32 MiB). */
  slackBytes?: number
  /** Heap V8 holds but does not use that is worth a collection, in bytes (default 8 MiB). */
  heapSlackBytes?: number
  /** Called after each collection with the RSS before and after, and its duration (logging). */
  onReduced?: (beforeBytes: number, afterBytes: number, ms: number) => void
}

type Gc = (options: { type: 'major', execution: 'sync', flavor?: 'regular' | 'last-resort' }) => void

/** The `gc` function, without `--expose-gc` on the command line; undefined if V8 refuses. */
function lastResortGc (): Gc | undefined {
  try {
    v8.setFlagsFromString('--expose-gc')
    const gc = vm.runInNewContext('gc') as unknown
    return typeof gc === 'function' ? gc as Gc : undefined
  } catch {
    return undefined
  }
}

/** Starts watching; returns the stop function. */
export function startMemoryReducer (opts: MemoryReducerOptions = {}): () => void {
  const gc = lastResortGc()
  if (gc === undefined) return () => {}
  const checkMs = opts.checkMs ?? 15_000
  const idleBelow = opts.idleBelow ?? 0.5
  const slack = opts.slackBytes ?? 32 * 1024 * 1024
  const heapSlack = opts.heapSlackBytes ?? 8 * 1024 * 1024
  let lowest = process.memoryUsage.rss()
  let last = performance.eventLoopUtilization()
  let lastRun = -Infinity
  const check = (): void => {
    const now = performance.eventLoopUtilization()
    const busy = performance.eventLoopUtilization(now, last).utilization
    last = now
    const rss = process.memoryUsage.rss()
    lowest = Math.min(lowest, rss)
    const heap = v8.getHeapStatistics()
    const worth = rss - lowest >= slack || heap.total_heap_size - heap.used_heap_size >= heapSlack
    if (busy >= idleBelow || !worth || performance.now() - lastRun < 2 * checkMs) return
    const t0 = performance.now()
    gc({ type: 'major', execution: 'sync', flavor: 'last-resort' })
    lastRun = performance.now()
    const after = process.memoryUsage.rss()
    // What a collection cannot give back is the new resting level (a bigger pinset legitimately
    // needs more): the next one waits until the process grows `slack` above it again.
    lowest = after - lowest >= slack ? after : Math.min(lowest, after)
    // The collection itself must not count as activity at the next check.
    last = performance.eventLoopUtilization()
    opts.onReduced?.(rss, after, lastRun - t0)
  }
  // While the start's burst may still be running, look again every firstCheckMs (for at most
  // `settleMs`) until a collection happened; then every checkMs.
  const firstCheckMs = opts.firstCheckMs ?? 2_000
  const settleUntil = performance.now() + (opts.settleMs ?? 30_000)
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  const schedule = (ms: number): void => {
    timer = setTimeout(() => {
      check()
      if (!stopped) schedule(lastRun < 0 && performance.now() < settleUntil ? firstCheckMs : checkMs)
    }, ms)
    timer.unref()
  }
  schedule(firstCheckMs)
  return () => { stopped = true; clearTimeout(timer) }
}

/**
 * For a long batch command (`state import`): V8 lets the heap grow to several times what was live
 * at its last full collection before it collects again, and an import makes garbage fast. The
 * check it returns, called every few thousand items, collects when the heap holds more than three
 * times what was live after the last collection (and at least `floorBytes`). Measured on a CRDT
 * import of 1.2M pins: 1.14 GB → 954 MB RSS for 69 → 70 s (twice and 256 MiB: 723 MB, but 94 s).
 */
export function heapCap (floorBytes = 512 * 1024 * 1024): () => void {
  const gc = lastResortGc()
  if (gc === undefined) return () => {}
  let limit = floorBytes
  return () => {
    if (process.memoryUsage().heapUsed < limit) return
    gc({ type: 'major', execution: 'sync' })
    limit = Math.max(floorBytes, 3 * process.memoryUsage().heapUsed)
  }
}
