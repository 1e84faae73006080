import { Inflights } from './inflights.ts'

export type ProgressState = 'probe' | 'replicate' | 'snapshot'

/**
 * The leader's view of one follower (etcd's Progress).
 * - probe: one append per heartbeat interval (or per response) until one is accepted;
 * - replicate: optimistic pipelining within the inflight window;
 * - snapshot: waiting for a snapshot to be installed; nothing else is sent.
 */
export class Progress {
  match = 0
  next: number
  state: ProgressState = 'probe'
  /** Index of the snapshot being sent, while in snapshot state. */
  pendingSnapshot = 0
  /** Heard from this node since the last check-quorum round. */
  recentActive = false
  /** In probe state: an append was sent and we wait for its answer (or a heartbeat response). */
  msgAppFlowPaused = false
  readonly inflights: Inflights
  isLearner: boolean

  constructor (next: number, maxInflightMsgs: number, maxInflightBytes: number, isLearner: boolean) {
    this.next = next
    this.inflights = new Inflights(maxInflightMsgs, maxInflightBytes)
    this.isLearner = isLearner
  }

  private resetState (state: ProgressState): void {
    this.msgAppFlowPaused = false
    this.pendingSnapshot = 0
    this.state = state
    this.inflights.reset()
  }

  becomeProbe (): void {
    if (this.state === 'snapshot') {
      const ps = this.pendingSnapshot
      this.resetState('probe')
      this.next = Math.max(this.match + 1, ps + 1)
    } else {
      this.resetState('probe')
      this.next = this.match + 1
    }
  }

  becomeReplicate (): void {
    this.resetState('replicate')
    this.next = this.match + 1
  }

  becomeSnapshot (snapshotIndex: number): void {
    this.resetState('snapshot')
    this.pendingSnapshot = snapshotIndex
    this.next = snapshotIndex + 1
  }

  /** Accounts for an append of `count` entries starting at `nextIndex`, `bytes` long. */
  updateOnEntriesSend (count: number, bytes: number, nextIndex: number): void {
    if (this.state === 'replicate') {
      if (count > 0) {
        const last = nextIndex + count - 1
        this.next = last + 1
        this.inflights.add(last, bytes)
      }
      this.msgAppFlowPaused = this.inflights.full()
    } else if (this.state === 'probe') {
      this.msgAppFlowPaused = true
    }
  }

  /** A successful acknowledgement of index `n`. Returns false if it is stale. */
  maybeUpdate (n: number): boolean {
    let updated = false
    if (this.match < n) {
      this.match = n
      updated = true
      this.msgAppFlowPaused = false
    }
    this.next = Math.max(this.next, n + 1)
    return updated
  }

  /**
   * A rejection of the append at `rejected`; `matchHint` is the largest index that may
   * match. Returns false if the rejection is stale.
   */
  maybeDecrTo (rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false
      this.next = this.match + 1
      return true
    }
    if (this.next - 1 !== rejected) return false
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1)
    this.msgAppFlowPaused = false
    return true
  }

  isPaused (): boolean {
    switch (this.state) {
      case 'probe': return this.msgAppFlowPaused
      case 'replicate': return this.inflights.full()
      default: return true
    }
  }
}
