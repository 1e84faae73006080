import type { RaftNodeOptions, SnapshotFetcher } from './node-options.ts'
import type { ConfState, Message, Snapshot } from './messages.ts'

/** What the snapshot logic needs of its node. */
export interface SnapshotHost {
  applied: () => number
  confState: () => ConfState
  stopped: () => boolean
  /** Steps a held `snap` message once its contents are here. */
  step: (m: Message) => void
}

/**
 * The driver's snapshots: taking them every `snapshotEvery` applied entries (then compacting the
 * log), and, with a {@link SnapshotFetcher}, fetching the contents of the ones the leader sends
 * before they are stepped.
 */
export class NodeSnapshots {
  /** Index of the latest snapshot taken or installed here. */
  index: number
  private readonly opts: RaftNodeOptions<unknown>
  private readonly host: SnapshotHost
  /** A snapshot whose contents are being fetched, and the latest `snap` message asking for it. */
  private fetching?: { index: number, message: Message }
  private taking = false
  private wanted = false

  constructor (opts: RaftNodeOptions<unknown>, index: number, host: SnapshotHost) {
    this.opts = opts
    this.index = index
    this.host = host
  }

  /** Take one at the next opportunity, whatever `snapshotEvery` says. */
  request (): void { this.wanted = true }
  get requested (): boolean { return this.wanted }

  /**
   * True when `m` must wait: a snapshot whose contents are not here yet. They are fetched (one
   * transfer at a time) and the message stepped once they are; the leader keeps sending `snap`
   * meanwhile, and the latest one for the same snapshot is the one stepped.
   */
  holds (m: Message): boolean {
    const fetcher = this.opts.snapshotFetcher
    if (m.type !== 'snap' || m.snapshot === undefined || fetcher === undefined) return false
    if (m.snapshot.metadata.index <= this.host.applied() || fetcher.isLocal(m.snapshot)) return false
    this.fetch(m, m.snapshot, fetcher)
    return true
  }

  private fetch (m: Message, snapshot: Snapshot, fetcher: SnapshotFetcher): void {
    const index = snapshot.metadata.index
    if (this.fetching !== undefined) {
      if (this.fetching.index === index) this.fetching.message = m
      return
    }
    this.fetching = { index, message: m }
    const started = Date.now()
    this.opts.onSnapshotEvent?.({ type: 'fetching', index, from: m.from })
    fetcher.fetch(snapshot, m.from).then(() => {
      this.opts.onSnapshotEvent?.({ type: 'fetched', index, from: m.from, ms: Date.now() - started })
      const latest = this.fetching?.message ?? m
      this.fetching = undefined
      this.host.step(latest)
    }, (error: Error) => {
      this.fetching = undefined
      if (!this.host.stopped()) this.opts.onSnapshotEvent?.({ type: 'fetch-failed', index, from: m.from, error })
    })
  }

  /**
   * Every `snapshotEvery` applied entries: a snapshot of the state machine at the applied index,
   * then the log is compacted behind it. One at a time; an asynchronous one is recorded when it
   * completes (unless a snapshot received meanwhile is newer). A failure only delays compaction.
   */
  maybeTake (): void {
    const every = this.opts.snapshotEvery ?? 10_000
    const applied = this.host.applied()
    if (this.taking || applied <= this.index || (!this.wanted && applied - this.index < every)) return
    this.wanted = false
    const confState = this.host.confState()
    const started = Date.now()
    let data: Uint8Array | Promise<Uint8Array>
    try {
      data = this.opts.stateMachine.snapshot()
    } catch (error) {
      this.failed(applied, error as Error)
      return
    }
    if (data instanceof Uint8Array) {
      this.record(applied, confState, data, started)
      return
    }
    this.taking = true
    data.then(bytes => { this.record(applied, confState, bytes, started) }, (error: Error) => { this.failed(applied, error) })
      .finally(() => { this.taking = false })
  }

  private record (index: number, confState: ConfState, data: Uint8Array, started: number): void {
    if (this.host.stopped()) return
    const { storage } = this.opts
    try {
      if (index <= storage.snapshot().metadata.index) return
      storage.createSnapshot(index, confState, data)
      this.index = Math.max(this.index, index)
      this.opts.onSnapshotEvent?.({ type: 'created', index, ms: Date.now() - started })
      const compactTo = index - (this.opts.keepAfterSnapshot ?? 1000)
      if (compactTo > storage.firstIndex()) storage.compact(compactTo)
    } catch (error) {
      this.failed(index, error as Error)
    }
  }

  private failed (index: number, error: Error): void {
    if (!this.host.stopped()) this.opts.onSnapshotEvent?.({ type: 'create-failed', index, error })
  }
}
