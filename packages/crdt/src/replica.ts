/**
 * One replica of the Merkle-CRDT (go-ds-crdt's Datastore): local writes become dag-pb blocks on
 * top of the current heads; received heads are walked down through an injected block getter with
 * a bounded number of fetches in flight, each block merged once. Storage, block exchange,
 * broadcasting and the rebroadcast/repair timers are the caller's.
 */
import type { LogLevel } from '@cluster/api'
import type { CID } from 'multiformats/cid'
import { decodeBlock, makeBlock, toV1DagPb, type DeltaNode } from './block.ts'
import { decodeBroadcast, type Delta } from './delta.ts'
import { Announcer } from './announcements.ts'
import { CarriedBlocks } from './carried-blocks.ts'
import { DirtyBit } from './dirty-bit.ts'
import { Heads, type Head, type HeadOp } from './heads.ts'
import { assertCleanKey, blockId } from './keys.ts'
import { liveIds, mergeDelta, type SetEvent } from './set.ts'
import type { CrdtStore } from './store.ts'
import type { BlockAccess, ReceiveResult, ReplicaOptions } from './options.ts'
import { Batch, type BatchOptions } from './batch.ts'
import { walkDag, repairDag } from './walk.ts'
import { Publisher } from './publisher.ts'

export type { BlockAccess, ReceiveResult, ReplicaOptions } from './options.ts'

export class Replica {
  readonly store: CrdtStore
  readonly blocks: BlockAccess
  readonly fetchConcurrency: number
  readonly fetchTimeoutMs: number
  readonly maxBatchDeltaSize: number
  private readonly heads: Heads
  private readonly opts: ReplicaOptions
  private readonly closing = new AbortController()
  /** Children reserved by a running walk (Go's queuedChildren). */
  readonly reserved = new Set<string>()
  private readonly queuedHeads = new Set<string>()
  private readonly publisher: Publisher
  private receives: Promise<unknown> = Promise.resolve()
  private activeWalks = 0
  private readonly dirty: DirtyBit
  private readonly blocksPerCommit: number
  private readonly maxQueuedHeads: number
  private groupOpen = false
  private groupTimer: ReturnType<typeof setTimeout> | undefined
  readonly mergeCommitDelayMs: number
  private grouped = 0
  private pendingEvents: SetEvent[] = []
  private readonly carried: CarriedBlocks
  /** What this replica announces: its writes' heads (paced), rebroadcasts, its heads for a newcomer. */
  readonly announcer: Announcer

  constructor (opts: ReplicaOptions) {
    this.opts = opts
    this.store = opts.store
    this.dirty = new DirtyBit(opts.store)
    this.blocks = opts.blocks
    this.fetchConcurrency = opts.fetchConcurrency ?? 50
    this.fetchTimeoutMs = opts.fetchTimeoutMs ?? 120_000
    this.maxBatchDeltaSize = opts.maxBatchDeltaSize ?? 1024 * 1024
    this.blocksPerCommit = opts.blocksPerCommit ?? 256
    this.mergeCommitDelayMs = opts.mergeCommitDelayMs ?? 0
    this.maxQueuedHeads = opts.maxQueuedHeads ?? 10_000
    if (this.fetchConcurrency < 1) throw new RangeError('fetchConcurrency must be at least 1')
    this.heads = new Heads(this.store)
    this.carried = new CarriedBlocks(opts.carryBlockBytes ?? 0, this.blocks, (level, message) => { this.log(level, message) })
    this.announcer = new Announcer({ heads: this.heads, carried: this.carried, broadcast: opts.broadcast, intervalMs: opts.announceIntervalMs ?? 0, log: (level, message) => { this.log(level, message) } })
    this.publisher = new Publisher({
      build: async (delta) => await this.build(delta),
      commit: () => { this.flush() },
      announce: async (head) => { await this.announcer.announce(head) },
      maxPerCommit: opts.writesPerCommit ?? 64,
      ...(opts.coalesceWrites === true ? { coalesceBytes: this.maxBatchDeltaSize } : {})
    })
  }

  // ---- reads ----
  get (key: string): Uint8Array | undefined {
    return this.store.getValue(key)?.value
  }

  has (key: string): boolean {
    return this.store.getValue(key) !== undefined
  }

  /** Every key and value, in key order, read a page at a time (memory stays bounded). */
  * entries (pageSize = 1000): Generator<[string, Uint8Array]> {
    let after: string | undefined
    for (;;) {
      const page = this.store.valuesPage(after, pageSize)
      yield * page
      if (page.length < pageSize) return
      after = page[page.length - 1]![0]
    }
  }

  get size (): number {
    return this.store.size()
  }

  /** The heads in CID-byte order, and the greatest height. */
  info (): { heads: Head[], maxHeight: number, dirty: boolean } {
    return { ...this.heads.list(), dirty: this.store.isDirty() }
  }

  isDirty (): boolean {
    return this.dirty.isSet
  }

  markDirty (): void {
    this.log('warn', 'marking the crdt store as dirty')
    this.dirty.markFailed()
  }

  markClean (): void {
    this.dirty.markClean()
  }

  // ---- local writes ----
  /** Adds or updates `key` (go-ds-crdt Put): publishes one block and returns its CID. */
  async put (key: string, value: Uint8Array): Promise<CID> {
    assertCleanKey(key)
    return await this.publish({ elements: [{ key, id: '', value }], tombstones: [], priority: 0 })
  }

  /** Removes `key` (go-ds-crdt Delete); publishes nothing (undefined) when no live element is known. */
  async delete (key: string): Promise<CID | undefined> {
    assertCleanKey(key)
    const ids = liveIds(this.store, key)
    if (ids.length === 0) return undefined
    return await this.publish({ elements: [], tombstones: ids.map((id) => ({ key, id, value: new Uint8Array(0) })), priority: 0 })
  }

  /** Puts and deletes gathered into one delta, published on commit (go-ds-crdt Batch). */
  batch (opts?: BatchOptions): Batch {
    return new Batch(this, opts)
  }

  /** Builds, stores, merges and broadcasts the block of `delta` (go-ds-crdt publish). */
  async publish (delta: Delta): Promise<CID> {
    this.assertOpen()
    return await this.publisher.publish(delta)
  }

  /** The block of `delta` on top of the current heads, stored and merged (not yet committed). */
  private async build (delta: Delta): Promise<CID> {
    this.assertOpen()
    const { heads, maxHeight } = this.heads.list()
    const priority = maxHeight + 1
    const withPriority = { ...(this.opts.coalesceWrites === true ? this.freshTombstones(delta) : delta), priority }
    const block = await makeBlock(withPriority, heads.map((h) => h.cid))
    await this.blocks.putBlock(block.cid, block.bytes)
    this.carried.keep(block)
    this.processNode(block.cid, priority, { cid: block.cid, delta: withPriority, links: heads.map((h) => h.cid) })
    // Own heads count as seen, as Go's pubsub delivers its own messages back to it.
    this.announcer.markSeen(block.cid)
    return block.cid
  }

  /** The delta with its deletes tombstoning what is live now (blocks made since they were asked included). */
  private freshTombstones (delta: Delta): Delta {
    if (delta.tombstones.length === 0) return delta
    const keys = [...new Set(delta.tombstones.map((t) => t.key))]
    const empty = new Uint8Array(0)
    return { ...delta, tombstones: keys.flatMap((key) => liveIds(this.store, key).map((id) => ({ key, id, value: empty }))) }
  }

  // ---- receiving ----
  /**
   * Handles a CRDTBroadcast payload from a (trusted) peer: walks the DAG from each announced head.
   * Payloads are handled one at a time in arrival order; a head already waiting is not queued
   * again. Rejects only for an undecodable payload; walk failures are reported in the result.
   */
  async receive (payload: Uint8Array): Promise<ReceiveResult> {
    const heads = decodeBroadcast(payload).map(toV1DagPb)
    const fresh: CID[] = []
    const dropped: CID[] = []
    for (const h of heads) {
      if (this.queuedHeads.has(h.toString())) continue
      if (this.queuedHeads.size >= this.maxQueuedHeads) { dropped.push(h); continue }
      this.queuedHeads.add(h.toString())
      fresh.push(h)
    }
    if (dropped.length > 0) this.log('warn', `receive queue full: ${dropped.length} announced heads dropped`)
    const kept = heads.filter((h) => !dropped.includes(h))
    // The carried blocks are stored now, not when the payload's turn comes: a peer reading a
    // backlog (resumed after a pause) gets several peers' announcements interleaved, and the head
    // walked first links to blocks that another peer's announcement, still queued, carries. Stored
    // now, that walk finds them here instead of fetching them one by one over the network.
    const stored = fresh.length > 0 ? this.carried.store(payload) : undefined
    const run = this.receives.then(async () => {
      await stored
      return { ...await this.handleHeads(kept, fresh), heads, dropped }
    })
    this.receives = run.catch(() => {})
    return await run
  }

  private async handleHeads (all: CID[], fresh: CID[]): Promise<Omit<ReceiveResult, 'dropped'>> {
    const failed: CID[] = []
    try {
      // A replica without heads adopts the announced ones at once, so that its next write
      // builds on them instead of starting an orphan branch (go-ds-crdt handleNext).
      if (this.heads.size === 0) {
        for (const h of all) {
          try {
            const node = await this.fetchNode(h)
            this.heads.apply([this.store.transaction(() => this.heads.add(h, node.delta.priority))])
          } catch (err) {
            this.log('error', `could not adopt head ${h.toString()}: ${String(err)}`)
          }
        }
      }
      for (const h of fresh) {
        this.assertOpen()
        if (!await this.handleBlock(h)) failed.push(h)
      }
      for (const h of all) this.announcer.markSeen(h)
    } finally {
      for (const h of fresh) this.queuedHeads.delete(h.toString())
    }
    return { heads: all, failed }
  }

  /** Walks the branch of head `h` unless that block was processed already. */
  private async handleBlock (h: CID): Promise<boolean> {
    if (this.store.isProcessed(h.multihash.bytes)) return true
    return await this.walk(h, h, undefined)
  }

  /** Walks down from `start` on behalf of branch head `root`; false when something failed. */
  async walk (root: CID, start: CID, rootPriority: number | undefined): Promise<boolean> {
    this.activeWalks++
    let ok = false
    try {
      ok = await walkDag(this, root, start, rootPriority)
      return ok
    } finally {
      this.activeWalks--
      // With merges waiting for their group commit, that commit clears the bit (flush).
      if (ok && this.activeWalks === 0 && !this.closed && !this.groupOpen) this.dirty.walksEnded()
    }
  }

  /** One rebroadcast tick (the caller's timer: rebroadcast_interval ± 30 %): the heads nobody announced since the last. */
  async rebroadcast (): Promise<void> {
    await this.announcer.rebroadcast()
  }

  /** Re-walks the whole DAG from the heads, merging what was missed; clean on success (go-ds-crdt repairDAG). */
  async repair (): Promise<boolean> {
    const ok = await repairDag(this, this.heads.list().heads)
    if (ok) this.markClean()
    return ok
  }

  // ---- shared with walk.ts and batch.ts ----
  /** Fetches and decodes a block, giving up after fetchTimeoutMs or on close. */
  async fetchNode (cid: CID, walked = 0): Promise<DeltaNode> {
    this.assertOpen()
    // One controller and one timer per fetch, both released when it ends (AbortSignal.timeout
    // would keep a timer alive for the whole timeout after every fetch of a long walk).
    const ctl = new AbortController()
    const timer = setTimeout(() => { ctl.abort(new Error(`fetching ${cid.toString()} timed out`)) }, this.fetchTimeoutMs)
    const onClose = (): void => { ctl.abort(this.closing.signal.reason) }
    this.closing.signal.addEventListener('abort', onClose, { once: true })
    try {
      const bytes = await this.blocks.getBlock(cid, { signal: ctl.signal, walked })
      return await decodeBlock(cid, bytes)
    } finally {
      clearTimeout(timer)
      this.closing.signal.removeEventListener('abort', onClose)
    }
  }

  /**
   * Merges one block and updates the heads (go-ds-crdt processNode), atomically; fires the hooks
   * after the commit. Returns the children this walk must fetch (now reserved).
   */
  processNode (root: CID, rootPriority: number, node: DeltaNode): CID[] {
    const ops: HeadOp[] = []
    const children: CID[] = []
    let walkOpened = false
    this.openGroup()
    const events = this.store.transaction(() => {
      const events = mergeDelta(this.store, node.delta, blockId(node.cid))
      this.store.markProcessed(node.cid.multihash.bytes)
      if (node.links.length === 0) ops.push(this.heads.add(root, rootPriority))
      let addedAsHead = false
      for (const child of node.links) {
        const processed = this.store.isProcessed(child.multihash.bytes)
        if (this.heads.isHead(child)) {
          // Reached a current head: the branch root takes its place.
          ops.push(this.heads.replace(child, root, rootPriority))
          addedAsHead = true
          if (processed) continue
        }
        if (processed || this.reserved.has(child.toString())) {
          if (!addedAsHead) ops.push(this.heads.add(root, rootPriority))
          addedAsHead = true
          continue
        }
        children.push(child)
      }
      // In the transaction that marks this block processed: no crash keeps one without the other.
      if (children.length > 0) walkOpened = this.dirty.openWalkInTransaction()
      return events
    })
    if (walkOpened) this.dirty.walkOpened()
    // Reserved only once the merge has committed, so a failed merge reserves nothing.
    for (const child of children) this.reserved.add(child.toString())
    this.reserved.delete(node.cid.toString())
    this.heads.apply(ops)
    this.pendingEvents.push(...events)
    if (++this.grouped >= this.blocksPerCommit) this.flush()
    return children
  }

  /** Opens the group commit a merge joins (see blocksPerCommit). */
  private openGroup (): void {
    if (this.groupOpen) return
    this.groupOpen = true
    this.store.begin?.()
    if (this.mergeCommitDelayMs > 0) {
      this.groupTimer = setTimeout(() => { this.flush() }, this.mergeCommitDelayMs)
      this.groupTimer.unref()
    } else {
      setImmediate(() => { this.flush() })
    }
  }

  /** Commits the merges of the open group and fires their hooks. */
  flush (): void {
    if (!this.groupOpen) return
    this.groupOpen = false
    this.grouped = 0
    clearTimeout(this.groupTimer)
    this.groupTimer = undefined
    try {
      if (this.activeWalks === 0) this.dirty.walksEnded()
      this.store.commit?.()
    } finally {
      const events = this.pendingEvents
      this.pendingEvents = []
      this.fire(events)
    }
  }

  /** Adds `root` as a head (after a failed walk, so that a repair reaches its subtree). */
  adoptHead (root: CID, height: number): void {
    if (this.heads.isHead(root)) return
    this.heads.apply([this.store.transaction(() => this.heads.add(root, height))])
  }

  get closed (): boolean {
    return this.closing.signal.aborted
  }

  log (level: LogLevel, message: string): void {
    this.opts.log?.(level, message)
  }

  private fire (events: SetEvent[]): void {
    for (const e of events) {
      try {
        if (e.type === 'put') this.opts.onPut?.(e.key, e.value)
        else this.opts.onDelete?.(e.key)
      } catch (err) {
        this.log('error', `crdt hook failed for ${e.key}: ${String(err)}`)
      }
    }
  }

  private assertOpen (): void {
    if (this.closed) throw new Error('crdt replica is closed')
  }

  // ---- lifecycle ----
  /** Stops: cancels fetches (an interrupted walk leaves the store dirty) and waits for work in progress. */
  async close (): Promise<void> {
    this.closing.abort(new Error('crdt replica is closing'))
    await Promise.allSettled([this.publisher.idle(), this.receives])
    await this.announcer.flush().catch(() => {})
    if (this.activeWalks > 0) this.markDirty()
    this.flush()
  }

  /** Deletes all local CRDT data (Go's `state cleanup` / leaving the cluster). */
  clear (): void {
    this.flush()
    this.store.clear()
    this.heads.reset()
    this.announcer.reset()
  }
}
