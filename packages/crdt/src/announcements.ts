/**
 * What a replica announces (go-ds-crdt's broadcasts): the head of its new writes, paced, with the
 * blocks made since (CarriedBlocks); at each rebroadcast tick the heads nobody announced since the
 * last one; all its heads for a peer that just joined.
 *
 * Pacing: the first announcement after a quiet spell goes out at once; while writes keep coming,
 * one goes out at most every `intervalMs`, naming the newest head (it links to the ones made
 * before it). Under a stream of single writes an announcement per write cost its author a
 * signature and a send per peer, and every other peer a signature check, a forward and a walk:
 * most of the messaging of a write.
 */
import type { CID } from 'multiformats/cid'
import type { LogLevel } from '@cluster/api'
import type { CarriedBlocks } from './carried-blocks.ts'
import { encodeBroadcast } from './delta.ts'
import type { Heads } from './heads.ts'

export interface AnnouncerInit {
  heads: Heads
  /** Blocks made here since the last announcement, sent along with the next one. */
  carried: CarriedBlocks
  /** Sends a CRDTBroadcast payload; absent = offline (nothing is announced). */
  broadcast?: (payload: Uint8Array) => Promise<void> | void
  /** Least time between two announcements of new writes (0: each goes out at once). */
  intervalMs: number
  log: (level: LogLevel, message: string) => void
}

export class Announcer {
  private readonly init: AnnouncerInit
  /** Heads announced by anyone (our writes included) since the last rebroadcast tick. */
  private readonly seen = new Set<string>()
  /** The newest head of our writes not announced yet. */
  private head: CID | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private lastAt = Number.NEGATIVE_INFINITY

  constructor (init: AnnouncerInit) {
    if (!(init.intervalMs >= 0)) throw new RangeError('announcement interval must be 0 or more')
    this.init = init
  }

  /** A head someone announced (or we made): the next rebroadcast tick leaves it out. */
  markSeen (head: CID): void {
    this.seen.add(head.toString())
  }

  /**
   * Announces the head of a new write now, or with the next paced announcement if one went out
   * less than intervalMs ago. One made at once fails its caller; a deferred one is logged.
   */
  async announce (head: CID): Promise<void> {
    this.head = head
    if (this.timer !== undefined) return
    const wait = this.lastAt + this.init.intervalMs - performance.now()
    if (wait <= 0) return await this.flush()
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.flush().catch((err: unknown) => { this.init.log('warn', `announcing new heads: ${String(err)}`) })
    }, wait)
  }

  /** Sends the paced announcement waiting, if any, now (e.g. before the broadcaster stops). */
  async flush (): Promise<void> {
    this.cancelTimer()
    const head = this.head
    if (head === undefined) return
    this.head = undefined
    this.lastAt = performance.now()
    await this.init.broadcast?.(encodeBroadcast([head], this.init.carried.take()))
  }

  /** Heads not announced by anyone since the last call, encoded for a rebroadcast (undefined: nothing to send). */
  rebroadcastPayload (): Uint8Array | undefined {
    const unseen = this.init.heads.list().heads.filter((h) => !this.seen.has(h.cid.toString()))
    this.seen.clear()
    return unseen.length === 0 ? undefined : encodeBroadcast(unseen.map((h) => h.cid))
  }

  /** One rebroadcast tick (the caller's timer: rebroadcast_interval ± 30 %). */
  async rebroadcast (): Promise<void> {
    const payload = this.rebroadcastPayload()
    if (payload !== undefined) await this.init.broadcast?.(payload)
  }

  /** All current heads, encoded for an announcement (undefined: none yet), e.g. for a peer that just joined. */
  headsPayload (): Uint8Array | undefined {
    const { heads } = this.init.heads.list()
    return heads.length === 0 ? undefined : encodeBroadcast(heads.map((h) => h.cid))
  }

  /** Forgets what was seen and any waiting announcement (the replica starts over). */
  reset (): void {
    this.cancelTimer()
    this.head = undefined
    this.seen.clear()
  }

  private cancelTimer (): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }
}
