/**
 * The CRDT pinset view's pending updates: gathered while the CRDT merges (many per store commit)
 * and applied in one transaction. The view is derived from the CRDT store: an update that cannot
 * be written (the disk is full) is kept and tried again every `retryMs`, never thrown at whoever
 * triggered it (a merge, a timer: a crash of the peer). Until it goes through, the view lags the
 * store; a peer stopped meanwhile leaves its view marked unclean and rebuilds it at the next start.
 */
import { cidToString, type CID, type Logger } from '@cluster/api'
import type { LogOp } from './ops.ts'
import type { PinsetState } from './state.ts'

export class ViewWriter {
  private pending: LogOp[] = []
  /** The last queued op of each CID in `pending`. */
  private latest = new Map<string, LogOp>()
  private retry: NodeJS.Timeout | undefined
  /** Set while the last attempt failed (said once in the log, and once when it recovers). */
  private failing = false
  private readonly view: PinsetState
  private readonly log: Logger
  private readonly retryMs: number

  constructor (view: PinsetState, log: Logger, retryMs = 1000) {
    this.view = view
    this.log = log
    this.retryMs = retryMs
  }

  /** Whether every update so far is in the view. */
  get caughtUp (): boolean { return this.pending.length === 0 }

  /** Queues `op`; the queue is applied after this turn of the event loop (or by flush()). */
  queue (op: LogOp): void {
    if (this.pending.length === 0 && this.retry === undefined) setImmediate(() => { this.flush() })
    this.pending.push(op)
    this.latest.set(cidToString(op.pin.cid), op)
  }

  /** The last op queued for `cid` and not yet in the view. */
  queued (cid: CID): LogOp | undefined {
    return this.latest.get(cidToString(cid))
  }

  /** Applies what is queued now; on failure keeps it and tries again later. */
  flush (): void {
    if (this.pending.length === 0 || !this.view.isOpen()) return
    const ops = this.pending
    this.pending = []
    try {
      this.view.applyOps(ops)
      this.latest.clear()
      for (const op of this.pending) this.latest.set(cidToString(op.pin.cid), op)
    } catch (err) {
      this.pending = ops.concat(this.pending)
      if (!this.failing) this.log('error', `the pinset view could not be written (${(err as Error).message}): its ${ops.length} update(s) are kept and tried again every ${this.retryMs / 1000} s; the pins are in the crdt store`)
      this.failing = true
      this.retry ??= setTimeout(() => {
        this.retry = undefined
        this.flush()
      }, this.retryMs)
      this.retry.unref()
      return
    }
    if (this.failing) this.log('info', 'the pinset view is written again')
    this.failing = false
  }

  /** Stops retrying (shutdown). */
  stop (): void {
    clearTimeout(this.retry)
    this.retry = undefined
  }
}
