/**
 * The stateless pin tracker (cluster-behaviour.md §7): turns the shared pinset into IPFS pin and
 * unpin calls. It keeps no copy of the pinset, only the operation tracker.
 */
import { ConcurrencyLimit, Timestamp, pinDepthToMode, silentLogger } from '@cluster/api'
import type { CID, Logger, Pin, PinInfo, TrackerStatusFilter } from '@cluster/api'
import { defaultStatelessConfig, validateStatelessConfig } from './config.ts'
import type { StatelessConfig } from './config.ts'
import { QUEUE_FULL_MESSAGE, QueueFullError, TrackerClosedError, errorText } from './errors.ts'
import type { Operation } from './operation.ts'
import { OperationTracker } from './operation-tracker.ts'
import { barePin, isRemotePin, sameAllocations } from './pin-predicates.ts'
import { OperationScheduler } from './scheduler.ts'
import type { Lane } from './scheduler.ts'
import { statusAllOf, statusOf, statusWithinOf } from './status.ts'
import type { StatusSources } from './status.ts'
import type { PinsetReader, TrackerIpfs, TrackerPeer } from './types.ts'
import { captureContext, inSpan, runInContext } from '@cluster/observability/trace'

export interface StatelessTrackerOptions extends TrackerPeer {
  ipfs: TrackerIpfs
  pinset: PinsetReader
  /** Defaults to defaultStatelessConfig(); validated. */
  config?: Partial<StatelessConfig> | undefined
  logger?: Logger | undefined
}

const ERROR_STATUSES = new Set(['pin_error', 'unpin_error'])

export class StatelessTracker {
  readonly config: Readonly<StatelessConfig>
  /** The operation tracker (read it for tests, metrics, debugging). */
  readonly operations: OperationTracker
  readonly #ipfs: TrackerIpfs
  readonly #pinset: PinsetReader
  readonly #peer: TrackerPeer
  readonly #log: Logger
  readonly #scheduler: OperationScheduler
  readonly #sources: StatusSources
  readonly #remoteUnpins = new Set<Promise<unknown>>()
  /**
   * Remote unpins run against IPFS `concurrent_pins` at a time. Go makes them one by one in its
   * apply loop; a peer that applies thousands of pins moved away from it at once (catching up
   * after a pause, during which the others re-allocated its pins) would otherwise open a Kubo
   * request for each at once: ~20 KiB of heap apiece (seen: 21k in flight, 600 MiB) and a flood
   * for Kubo. Waiting costs about a kilobyte; a pin tracked again meanwhile leaves the queue.
   */
  readonly #remoteUnpinSlots: ConcurrencyLimit
  #closing: Promise<void> | undefined

  constructor (options: StatelessTrackerOptions) {
    const given = Object.entries(options.config ?? {}).filter(([, v]) => v !== undefined)
    const config: StatelessConfig = { ...defaultStatelessConfig(), ...Object.fromEntries(given) }
    validateStatelessConfig(config)
    this.config = Object.freeze(config)
    this.#ipfs = options.ipfs
    this.#pinset = options.pinset
    this.#peer = { peerId: options.peerId, peerName: options.peerName, identity: options.identity, clock: options.clock }
    this.#log = options.logger ?? silentLogger
    this.operations = new OperationTracker(this.#peer)
    this.#remoteUnpinSlots = new ConcurrencyLimit({ active: Math.max(1, Math.floor(config.concurrentPins)), queued: Number.MAX_SAFE_INTEGER })
    this.#scheduler = new OperationScheduler({
      concurrentPins: config.concurrentPins,
      maxQueueSize: config.maxPinQueueSize,
      execute: async (op) => { await this.#execute(op) },
      onUnexpectedError: (err, op) => { this.#log('error', `pintracker: operation on ${op.key} failed unexpectedly: ${errorText(err)}`) }
    })
    this.#sources = { ops: this.operations, pinset: this.#pinset, ipfs: this.#ipfs, peer: this.#peer, now: () => this.#now() }
  }

  #now (): Timestamp {
    return Timestamp.now(this.#peer.clock)
  }

  #assertOpen (): void {
    if (this.#closing !== undefined) throw new TrackerClosedError()
  }

  /**
   * Track(pin): called when a pin is committed. Meta pins are never pinned; a pin not allocated
   * here is unpinned synchronously (errors are recorded on a `remote` operation, never thrown);
   * anything else is queued for pinning. Throws QueueFullError when the queue is full.
   * `before` is the pin this one replaced, when the caller knows it (`null`: a new CID): a remote
   * pin that was not pinned here before needs no Kubo call (Go makes one for every remote pin,
   * which a peer catching up pays once per pin of the whole pinset).
   */
  async track (pin: Pin, before?: Pin | null): Promise<void> {
    this.#assertOpen()
    if (pin.type === 'meta-pin') return
    if (isRemotePin(pin, this.#peer.peerId)) {
      const wasHere = before === undefined || (before !== null && before.type !== 'meta-pin' && !isRemotePin(before, this.#peer.peerId))
      if (wasHere) await this.#unpinRemote(pin)
      return
    }
    if (before != null && this.#staysPinnedHere(before, pin)) return
    this.#enqueue(pin, 'pin')
  }

  /**
   * Whether `pin` only moved *other* peers' allocations (a repin or a rebalance): this peer was
   * allocated before with the same type and depth and its last pin operation did not fail, so
   * Kubo has nothing new to do and the pin keeps its status here (Go queues it again and shows
   * it `pin_queued` meanwhile, which makes a pin that never lost a copy look under-replicated).
   * A pin committed again with the same allocations is queued as Go does: re-pinning is how a
   * user repairs a pin removed from Kubo behind the cluster's back.
   */
  #staysPinnedHere (before: Pin, pin: Pin): boolean {
    const me = this.#peer.peerId
    if (before.type !== pin.type || before.maxDepth !== pin.maxDepth || isRemotePin(before, me)) return false
    if (sameAllocations(before, pin)) return false
    const op = this.operations.operation(pin.cid)
    if (op === undefined) return true
    if (op.type !== 'pin' || op.phase === 'error') return false
    op.setPin(pin)
    return true
  }

  async #unpinRemote (pin: Pin): Promise<void> {
    const op = this.operations.trackNew(pin, 'remote', 'in_progress')
    if (op === undefined) return
    let release: () => void
    try {
      release = await (this.#remoteUnpinSlots.acquire(op.signal) ?? Promise.resolve(() => {}))
    } catch {
      // Cancelled while it waited: the CID was tracked again, or the tracker is closing.
      return
    }
    let failure: unknown
    let failed = false
    const call = this.#ipfs.unpin(pin.cid, { signal: op.signal })
    this.#remoteUnpins.add(call)
    try {
      await call
    } catch (err) {
      failed = true
      failure = err
    } finally {
      this.#remoteUnpins.delete(call)
      release()
    }
    op.cancel()
    if (failed) {
      this.#log('warn', `pintracker: unpinning remote pin ${op.key}: ${errorText(failure)}`)
      op.setError(errorText(failure), this.#now())
      return
    }
    op.setPhase('done', this.#now())
    this.operations.clean(op)
  }

  /** Untrack(cid): called when an unpin is committed; queues an unpin (harmless where not pinned). */
  async untrack (cid: CID): Promise<void> {
    this.#assertOpen()
    this.#enqueue(barePin(cid, this.#now()), 'unpin')
  }

  /** Whether a pin operation goes to the priority queue (§7.2). */
  isPriority (pin: Pin, attempts: number): boolean {
    const deadline = pin.timestamp.add(this.config.priorityPinMaxAge)
    return this.#now().isBefore(deadline) && attempts <= this.config.priorityPinMaxRetries
  }

  #enqueue (pin: Pin, type: 'pin' | 'unpin', freshAttempts = false): void {
    const op = this.operations.trackNew(pin, type, 'queued', freshAttempts)
    if (op === undefined) return
    op.traceContext = captureContext()
    let lane: Lane = 'unpin'
    if (type === 'pin') {
      const priority = this.isPriority(pin, op.attempts)
      op.setPriority(priority)
      lane = priority ? 'priority' : 'pin'
    }
    if (!this.#scheduler.push(op, lane)) {
      op.setError(QUEUE_FULL_MESSAGE, this.#now())
      op.cancel()
      this.#log('error', `pintracker: ${QUEUE_FULL_MESSAGE}`)
      throw new QueueFullError()
    }
  }

  /** The worker step (§7.2), a span in the trace of what queued the operation. */
  async #execute (op: Operation): Promise<void> {
    if (op.traceContext === undefined) {
      await this.#run(op)
      return
    }
    await runInContext(op.traceContext, async () => {
      await inSpan(`pintracker.${op.type}`, { attributes: { 'cluster.cid': op.cid.toString(), 'cluster.attempt': op.attempts + 1 } }, async (span) => {
        await this.#run(op)
        span.setAttribute('cluster.phase', op.phase)
        if (op.phase === 'error') span.end(new Error(op.error))
      })
    })
  }

  async #run (op: Operation): Promise<void> {
    op.setPhase('in_progress', this.#now())
    op.incAttempts()
    try {
      if (op.type === 'pin') {
        const pin = op.pin
        await this.#ipfs.pin(op.cid, {
          mode: pinDepthToMode(pin.maxDepth),
          maxDepth: pin.maxDepth,
          origins: pin.origins ?? [],
          ...(pin.pinUpdate === undefined ? {} : { pinUpdate: pin.pinUpdate }),
          signal: op.signal
        })
      } else {
        await this.#ipfs.unpin(op.cid, { signal: op.signal })
      }
    } catch (err) {
      if (op.cancelled) return // replaced meanwhile: drop silently
      op.setError(errorText(err), this.#now())
      op.cancel()
      this.#log('debug', `pintracker: ${op.type} ${op.key} failed (attempt ${op.attempts}): ${errorText(err)}`)
      return
    }
    op.setPhase('done', this.#now())
    op.cancel()
    this.operations.clean(op)
  }

  /**
   * Status(cid) (§7.4). Never throws: failures are `cluster_error` items. `signal` bounds the
   * IPFS call (aborted: `cluster_error` with the error).
   */
  async status (cid: CID, options: { signal?: AbortSignal } = {}): Promise<PinInfo> {
    return await statusOf(this.#sources, cid, options.signal)
  }

  /** StatusAll(filter) (§7.5), streamed. Throws IpfsPinsetError when IPFS cannot be listed. */
  statusAll (filter: TrackerStatusFilter = 0): AsyncGenerator<PinInfo> {
    return statusAllOf(this.#sources, filter)
  }

  /** StatusAll(filter) of the listed CIDs only (CID strings), in their order; see statusWithinOf. */
  statusWithin (filter: TrackerStatusFilter, keys: readonly string[], options: { signal?: AbortSignal } = {}): AsyncGenerator<PinInfo> {
    return statusWithinOf(this.#sources, filter, keys, options.signal)
  }

  /**
   * Recover(cid) (§7.6): re-queues a pin in `pin_error`/`unexpectedly_unpinned` or an unpin in
   * `unpin_error`, ignoring `max_retries`; returns the new status, or the current one when
   * there was nothing to do. A full queue throws QueueFullError carrying the status (`info`).
   * `signal` bounds the status reads (the re-queued operation does not depend on it).
   */
  async recover (cid: CID, options: { signal?: AbortSignal } = {}): Promise<PinInfo> {
    const info = await this.status(cid, options)
    // Past the retry cap (a terminal failure) the operator's recover starts the count afresh, so
    // automatic retries resume; otherwise the count goes on, as Go's.
    return (await this.#recoverWith(info, options.signal, !this.#withinRetryCap(info))) ?? info
  }

  /** `freshAttempts`: the re-queued operation starts its attempt count at 0. */
  async #recoverWith (info: PinInfo, signal?: AbortSignal, freshAttempts = false): Promise<PinInfo | undefined> {
    const statusNow = async (): Promise<PinInfo> => await this.status(info.cid, { signal })
    try {
      switch (info.status) {
        case 'pin_error':
        case 'unexpectedly_unpinned': {
          this.#assertOpen()
          const pin = await this.#pinset.get(info.cid) // the pin may have changed
          if (pin === undefined) return await statusNow()
          this.#enqueue(pin, 'pin', freshAttempts)
          break
        }
        case 'unpin_error':
          this.#assertOpen()
          this.#enqueue(barePin(info.cid, this.#now()), 'unpin', freshAttempts)
          break
        default:
          return undefined
      }
    } catch (err) {
      if (err instanceof QueueFullError) err.info = await statusNow()
      throw err
    }
    return await statusNow()
  }

  /**
   * Whether RecoverAll may re-queue this item: always, unless `max_retries` > 0 and it is a
   * failed operation whose attempts already exceed `max_retries` (1 try + max_retries retries).
   */
  #withinRetryCap (info: PinInfo): boolean {
    const cap = this.config.maxRetries
    return cap === 0 || !ERROR_STATUSES.has(info.status) || info.attemptCount <= cap
  }

  /**
   * RecoverAll (§7.6): StatusAll(all) and recover every item that needs it; streams only the
   * items actually re-queued, stops (throws) at the first failure. Failed operations past the
   * `max_retries` cap are left alone (a manual recover(cid) still retries them).
   */
  async * recoverAll (): AsyncGenerator<PinInfo> {
    for await (const info of this.statusAll(0)) {
      if (!this.#withinRetryCap(info)) continue
      const recovered = await this.#recoverWith(info)
      if (recovered !== undefined) yield recovered
    }
  }

  /** PinQueueSize (§7.8): pin operations in phase queued (priority and normal). */
  pinQueueSize (): number {
    return this.operations.queuedPins
  }

  /** Resolves when no operation is queued or running (remote unpins excluded: track awaits them). */
  async drain (): Promise<void> {
    await this.#scheduler.idle()
  }

  /** Queue and worker counters (for metrics and debugging). */
  stats (): { queued: Record<Lane, number>, running: { pins: number, unpins: number }, operations: number } {
    return { queued: this.#scheduler.queueLengths(), running: this.#scheduler.running, operations: this.operations.size }
  }

  /**
   * Shutdown: refuses new operations, aborts the running ones (their IPFS requests see the
   * signal), drops the queues and waits for the running calls to settle. Idempotent.
   */
  async close (): Promise<void> {
    if (this.#closing !== undefined) return await this.#closing
    this.#closing = (async () => {
      this.operations.cancelAll()
      await this.#scheduler.close()
      await Promise.allSettled([...this.#remoteUnpins])
    })()
    await this.#closing
  }
}
