/**
 * Rebalance (an extension beyond Go: `POST /pins/rebalance`): walks the pins a search matches in
 * CID order, plans where each should be now (plan.ts) and moves the ones that change a step at
 * a time (steps.ts). Progress is persisted after every step (store.ts); a daemon started with an
 * unfinished rebalance continues it. One rebalance runs at a time on a peer; dry runs any time.
 */
import { ApiError, parseCid, type CID, type Logger, type Metric, type Pin, type PinSearch, type PinSearchIndex, type RebalanceEvent, type RebalanceMove, type RebalanceRequest, type RebalanceSummary } from '@cluster/api'
import { EventChannel } from './channel.ts'
import { movable, planPin, type PlanContext, type PlannedLoad } from './plan.ts'
import { runStep, type StepHost } from './steps.ts'
import { RebalanceStore, type RebalanceProgress } from './store.ts'

/** A rebalance is already running on this peer (REST 409). */
export class RebalanceBusyError extends ApiError {
  override readonly name = 'RebalanceBusyError'
  readonly status = 409
}

/**
 * Moves done together (one batch of commits each way, one wait): at most this many pins hold
 * both their old and new allocations at once.
 */
export const STEP_MOVES = 64
/** How long a stopping peer waits for its rebalance to stop. */
const STOP_GRACE_MS = 3_000

export interface RebalanceHost extends StepHost {
  dataDir: string
  allocateBy: string[]
  index: PinSearchIndex
  /** Latest valid metrics of that name, one per peer. */
  metrics: (name: string) => Metric[]
  /** Every pin (to count allocations). */
  pins: () => Iterable<Pin>
  /** Total bytes of the members' IPFS repositories (those that answer). */
  repoBytes: () => Promise<bigint>
  /** Resolves when the peer can plan and commit: a leader is known, members' metrics heard. */
  ready: (signal: AbortSignal) => Promise<void>
  log: Logger
}

type Emit = (event: RebalanceEvent) => void

export class Rebalancer {
  private readonly host: RebalanceHost
  private readonly store: RebalanceStore
  private readonly abort = new AbortController()
  private running: Promise<void> | undefined

  constructor (host: RebalanceHost) {
    this.host = host
    this.store = new RebalanceStore(host.dataDir)
  }

  /** Continues a rebalance an earlier run of the daemon left unfinished, in the background. */
  resume (): void {
    let progress: RebalanceProgress | undefined
    try {
      progress = this.store.load()
    } catch (err) {
      this.host.log('error', `rebalance: cannot resume: ${(err as Error).message}`)
      return
    }
    if (progress === undefined) return
    this.host.log('info', `rebalance: resuming (${progress.done} moves done, ${progress.inFlight.length} in progress)`)
    this.launch(progress, () => {})
  }

  start (request: RebalanceRequest): AsyncIterable<RebalanceEvent> {
    const channel = new EventChannel<RebalanceEvent>()
    const emit: Emit = e => { channel.push(e) }
    if (request.dryRun) {
      void this.plan(request, 0, emit).then(() => { channel.close() }, (err: Error) => { channel.fail(err) })
      return channel
    }
    if (this.running !== undefined) throw new RebalanceBusyError('a rebalance is already running on this peer')
    // A step left in progress by an earlier rebalance is finished first (not counted in the limit).
    const inFlight = this.store.load()?.inFlight ?? []
    this.launch({ request, done: -inFlight.length, inFlight }, emit, err => { if (err === undefined) channel.close(); else channel.fail(err) })
    return channel
  }

  /**
   * Stops a running rebalance (daemon shutdown): its progress stays for the next start. Waits a
   * little for it to notice (a commit under way), not for a slow wait for a leader.
   */
  async stop (): Promise<void> {
    this.abort.abort(new Error('the peer is stopping'))
    if (this.running !== undefined) await Promise.race([this.running, new Promise(resolve => setTimeout(resolve, STOP_GRACE_MS).unref())])
  }

  private launch (progress: RebalanceProgress, emit: Emit, ended: (err?: Error) => void = () => {}): void {
    this.store.save(progress)
    this.running = this.execute(progress, emit).then(
      () => { this.store.clear(); ended() },
      (err: Error) => {
        if (!this.abort.signal.aborted) this.host.log('error', `rebalance stopped: ${err.message} (it continues on the next start)`)
        ended(err)
      }
    ).finally(() => { this.running = undefined })
  }

  private async execute (progress: RebalanceProgress, emit: Emit): Promise<void> {
    const signal = this.abort.signal
    await this.host.ready(signal)
    let done = progress.done
    const report = async (moves: RebalanceMove[], counts: RebalanceSummary): Promise<void> => {
      this.store.save({ ...progress, done, inFlight: moves })
      for (const outcome of await runStep(this.host, moves, signal)) {
        counts[outcome.result === 'planned' ? 'planned' : outcome.result]++
        emit({ move: outcome.move, result: outcome.result, ...(outcome.error === undefined ? {} : { error: outcome.error }) })
        if (outcome.result === 'moved') this.host.log('info', `rebalance: moved ${outcome.move.cid.toString()} from ${outcome.move.from.join(',')} to ${outcome.move.to.join(',')}`)
      }
      done += moves.length
      this.store.save({ ...progress, done, inFlight: [] })
    }
    const leftover = emptySummary(false)
    if (progress.inFlight.length > 0) await report(progress.inFlight, leftover)
    const summary = await this.plan(progress.request, done, emit, report)
    for (const key of ['moved', 'failed', 'skipped'] as const) summary[key] += leftover[key]
    emit({ summary })
    this.host.log('info', `rebalance finished: ${summary.moved} moved, ${summary.failed} failed, ${summary.skipped} skipped of ${summary.checked} pins checked`)
  }

  /**
   * Plans the moves of `request` (at most its limit less `done`); each full step goes to
   * `execute`, or, without it (dry run), every move is reported as planned.
   */
  private async plan (request: RebalanceRequest, done: number, emit: Emit, execute?: (moves: RebalanceMove[], counts: RebalanceSummary) => Promise<void>): Promise<RebalanceSummary> {
    if (execute === undefined) await this.host.ready(this.abort.signal)
    const summary = emptySummary(execute === undefined)
    const ctx = await this.context()
    const load: PlannedLoad = new Map()
    const budget = request.limit === undefined ? Infinity : request.limit - done
    let planned = 0
    let step: RebalanceMove[] = []
    for (const pin of this.matching(request.search)) {
      if (planned >= budget) break
      if (!movable(pin)) continue
      summary.checked++
      let to
      try {
        to = planPin(ctx, load, pin)
      } catch (err) {
        summary.failed++
        emit({ move: { cid: pin.cid, name: pin.name, from: pin.allocations ?? [], to: [] }, result: 'failed', error: (err as Error).message })
        continue
      }
      if (to === undefined) continue
      planned++
      summary.planned++
      const move: RebalanceMove = { cid: pin.cid, name: pin.name, from: pin.allocations ?? [], to }
      if (execute === undefined) emit({ move, result: 'planned' })
      else step.push(move)
      if (execute !== undefined && step.length >= STEP_MOVES) {
        await execute(step, summary)
        step = []
      }
    }
    if (step.length > 0 && execute !== undefined) await execute(step, summary)
    if (execute === undefined) emit({ summary })
    return summary
  }

  /** The matching pins in CID order, a page read at a time (no listing stays open across commits). */
  private * matching (search: PinSearch): Generator<Pin> {
    let after = search.afterCid
    for (;;) {
      const pages = this.host.index.searchCids({ ...search, ...(after === undefined ? {} : { afterCid: after }) })[Symbol.iterator]()
      const page = pages.next()
      pages.return?.()
      if (page.done === true || page.value.length === 0) return
      for (const cid of page.value) {
        const pin = this.host.get(parseCid(cid) as CID)
        if (pin !== undefined) yield pin
      }
      after = page.value[page.value.length - 1]
    }
  }

  private async context (): Promise<PlanContext> {
    const metrics = new Map(this.host.allocateBy.map(name => [name, this.host.metrics(name)]))
    let allocations = 0n
    for (const pin of this.host.pins()) if (movable(pin)) allocations += BigInt((pin.allocations ?? []).length)
    const bytes = await this.host.repoBytes()
    const pinBytes = allocations === 0n ? 1n : bytes / allocations
    return { allocateBy: this.host.allocateBy, metrics, pinBytes: pinBytes < 1n ? 1n : pinBytes }
  }
}

function emptySummary (dryRun: boolean): RebalanceSummary {
  return { checked: 0, planned: 0, moved: 0, failed: 0, skipped: 0, dryRun }
}
