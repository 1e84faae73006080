// One scenario: a cluster, the pinning load, the fault (and its repair) while the load runs,
// then the verdict: acknowledged pins lost, daemon crashes, peers not caught up, the longest
// time without an accepted pin, and each peer's memory before and after.
import { sleep } from '../../bench/lib/load.ts'
import type { Crash } from './cluster.ts'
import { createEnv, type Configure, type Env, type EnvKind } from './environments.ts'
import type { Mode } from './mode.ts'
import { PinLoad, type PinLoadSummary } from './pin-load.ts'
import { verify, type Verdict } from './verify.ts'

export interface FaultContext {
  env: Env
  load: PinLoad
  mode: Mode
  /** Adds a line to the scenario's notes in the report. */
  note: (text: string) => void
}

export interface Scenario {
  name: string
  /** One line for the report. */
  what: string
  env: EnvKind
  /** Extra service.json edits for this scenario. */
  configure?: (mode: Mode) => Configure
  /** Pins the load may issue (default: mode.maxPins). */
  maxPins?: (mode: Mode) => number
  /** Breaks something while the load runs, then repairs it (restarts what it stopped). */
  fault: (ctx: FaultContext) => Promise<void>
  /** Observations once the cluster has settled (they only add notes). */
  after?: (ctx: FaultContext) => Promise<void>
}

export interface ScenarioResult {
  name: string
  what: string
  ok: boolean
  acked: number
  lost: number
  lostEverywhere: number
  crashes: Crash[]
  notCaughtUp: number[]
  /** The last lines of each not-caught-up peer's log. */
  behindLogTails: Record<number, string>
  longestGapS: number
  slowestAckS: number
  rssBeforeMiB: number[]
  rssAfterMiB: number[]
  pinCounts: number[]
  seconds: number
  notes: string[]
  load?: PinLoadSummary
  verdict?: Verdict
  /** The harness could not run the scenario to its end (e.g. the cluster did not start). */
  error?: string
}

/**
 * Runs one scenario on `reuse` (a cluster left healthy by the previous scenario) or on a new
 * cluster, and hands the cluster back: the caller closes it or passes it on.
 */
export async function runScenario (s: Scenario, mode: Mode, log: (text: string) => void = () => {}, reuse?: Env): Promise<{ result: ScenarioResult, env?: Env }> {
  const started = Date.now()
  const notes: string[] = []
  const note = (text: string): void => { notes.push(text); log(`  ${s.name}: ${text}`) }
  let env = reuse
  let load: PinLoad | undefined
  let summary: PinLoadSummary | undefined
  let verdict: Verdict | undefined
  let rssBefore: number[] = []
  let rssAfter: number[] = []
  let error: string | undefined
  const behindLogTails: Record<number, string> = {}
  let firstCrash = env?.cluster.crashes.length ?? 0
  try {
    if (env === undefined) {
      log(`${s.name}: starting the cluster (${s.env})`)
      env = await createEnv(s.env, mode, s.configure?.(mode))
      firstCrash = 0
    } else {
      note('on the previous scenario\'s cluster')
    }
    rssBefore = env.cluster.rssMiB()
    const cluster = env.cluster
    load = new PinLoad({
      clients: mode.clients,
      maxPins: s.maxPins?.(mode) ?? mode.maxPins,
      requestTimeoutMs: mode.requestTimeoutMs,
      targets: () => cluster.live().map(p => p.restUrl),
      nextCid: env.nextCid
    })
    load.start()
    try {
      await sleep(mode.warmMs)
      await s.fault({ env, load, mode, note })
      await sleep(mode.tailMs)
    } finally {
      summary = await load.stop()
    }
    log(`${s.name}: ${summary.acked} pins acknowledged, ${summary.failed} failed; checking every peer`)
    verdict = await verify(cluster, load.acked, mode.settleMs, v => {
      log(`  ${s.name}: after ${v.seconds.toFixed(1)} s, pins listed ${v.counts.join('/')}, acknowledged ones missing ${v.missing.join('/')}`)
    })
    for (const i of verdict.notCaughtUp) behindLogTails[i] = cluster.logTail(i, 12)
    if (verdict.differences.length > 0) note(`pinsets differ: ${verdict.differences.join('; ')}`)
    rssAfter = cluster.rssMiB()
    await s.after?.({ env, load, mode, note })
  } catch (err) {
    error = (err as Error).message
    // Stop the clients if the fault failed before they were stopped.
    if (load !== undefined && summary === undefined) summary = await load.stop()
    log(`${s.name}: ${error}`)
  }
  const crashes = env?.cluster.crashes.slice(firstCrash) ?? []
  const notCaughtUp = verdict?.notCaughtUp ?? []
  const lost = verdict?.lost ?? 0
  const result: ScenarioResult = {
    name: s.name,
    what: s.what,
    ok: error === undefined && lost === 0 && crashes.length === 0 && notCaughtUp.length === 0,
    acked: summary?.acked ?? 0,
    lost,
    lostEverywhere: verdict?.lostEverywhere ?? 0,
    crashes,
    notCaughtUp,
    behindLogTails,
    longestGapS: (summary?.longestGapMs ?? 0) / 1000,
    slowestAckS: (summary?.slowestAckMs ?? 0) / 1000,
    rssBeforeMiB: rssBefore,
    rssAfterMiB: rssAfter,
    pinCounts: verdict?.counts ?? [],
    seconds: (Date.now() - started) / 1000,
    notes,
    ...(summary === undefined ? {} : { load: summary }),
    ...(verdict === undefined ? {} : { verdict }),
    ...(error === undefined ? {} : { error })
  }
  log(`${s.name}: ${result.ok ? 'ok' : 'FAILED'} in ${result.seconds.toFixed(1)} s (lost ${lost}, crashes ${crashes.length}, not caught up ${notCaughtUp.length}, longest gap ${result.longestGapS.toFixed(1)} s)`)
  return { result, ...(env === undefined ? {} : { env }) }
}
