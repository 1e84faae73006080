/**
 * Admission control for the HTTP servers (REST API, Pinning Service API, IPFS proxy): requests
 * whose memory grows with the pinset or with their body run a few at a time, later ones wait in a
 * bounded FIFO queue, and beyond it they are refused at once (answered 429 with `Retry-After`), so
 * a burst of requests cannot take a peer's memory.
 */

export interface LimitOptions {
  /** Requests served at the same time. */
  active: number
  /** Requests waiting for a turn; more are refused. */
  queued: number
}

/** One class of requests: at most `active` at once, at most `queued` waiting. */
export class ConcurrencyLimit {
  readonly active: number
  readonly queued: number
  #running = 0
  readonly #waiting: Array<() => void> = []

  constructor (opts: LimitOptions) {
    if (!Number.isInteger(opts.active) || opts.active < 1) throw new RangeError('active must be an integer ≥ 1')
    if (!Number.isInteger(opts.queued) || opts.queued < 0) throw new RangeError('queued must be an integer ≥ 0')
    this.active = opts.active
    this.queued = opts.queued
  }

  /** Requests running now. */
  get running (): number { return this.#running }
  /** Requests waiting now. */
  get waiting (): number { return this.#waiting.length }

  /**
   * A turn: resolves with its release function (call it exactly once, when the answer is done).
   * Undefined when the queue is full: refuse the request. A request whose `signal` aborts while
   * it waits leaves the queue, and the promise rejects with the abort reason.
   */
  acquire (signal?: AbortSignal): Promise<() => void> | undefined {
    if (this.#running < this.active) return Promise.resolve(this.#turn())
    if (this.#waiting.length >= this.queued) return undefined
    return new Promise<() => void>((resolve, reject) => {
      const start = (): void => {
        signal?.removeEventListener('abort', abort)
        resolve(this.#turn())
      }
      const abort = (): void => {
        const at = this.#waiting.indexOf(start)
        if (at >= 0) this.#waiting.splice(at, 1)
        reject(signal?.reason)
      }
      if (signal?.aborted === true) { reject(signal.reason); return }
      signal?.addEventListener('abort', abort, { once: true })
      this.#waiting.push(start)
    })
  }

  #turn (): () => void {
    this.#running++
    let released = false
    return () => {
      if (released) return
      released = true
      this.#running--
      // The slot goes to the oldest waiting request.
      if (this.#running < this.active) this.#waiting.shift()?.()
    }
  }
}

/** The classes of requests the servers limit. */
export interface RequestLimits {
  /**
   * Listings and fan-outs whose memory grows with the pinset (`GET /pins`, `GET /allocations`,
   * `POST /pins/recover`, the proxy's `pin/ls` without argument, `repo/stat`, `repo/gc`).
   */
  list: LimitOptions
  /** Requests whose body is read into memory (up to `max_body_bytes` each). */
  body: LimitOptions
  /** Uploads going through the adder (`/add`, and the proxy's `block/put`/`dag/put` with `pin=true`). */
  add: LimitOptions
  /**
   * Pinning Service API listings (`GET /pins` without `cid`) served or waiting at once. They share
   * one pass over the pinset (each keeps at most 1,000 references), so many cost little.
   */
  sharedListings: number
  /** Seconds in the `Retry-After` of a refused request. */
  retryAfterSeconds: number
}

/**
 * Defaults: 4 listings at a time (one listing of a 3,000-pin cluster peaks at tens of MiB of heap,
 * and V8 keeps a heap it once grew: a peak is paid in RSS long after), 16 buffered bodies (16 MiB
 * at the default 1 MiB `max_body_bytes`), 8 uploads (each holds a few chunks and its block
 * fan-out); 64 waiting per class (a waiting request costs a socket and a few KiB); 2,048 shared
 * Pinning Service API listings (a few KiB each besides the shared pass).
 */
export function defaultRequestLimits (): RequestLimits {
  return {
    list: { active: 4, queued: 64 },
    body: { active: 16, queued: 64 },
    add: { active: 8, queued: 32 },
    sharedListings: 2048,
    retryAfterSeconds: 1
  }
}

/** The text of a refused request's error. */
export const TOO_MANY_REQUESTS = 'too many requests: try again later'

/** One limit per class, built from `RequestLimits`. */
export class RequestLimiter {
  readonly list: ConcurrencyLimit
  readonly body: ConcurrencyLimit
  readonly add: ConcurrencyLimit
  readonly sharedListings: number
  readonly retryAfterSeconds: number

  constructor (limits: Partial<RequestLimits> = {}) {
    const d = defaultRequestLimits()
    this.list = new ConcurrencyLimit(limits.list ?? d.list)
    this.body = new ConcurrencyLimit(limits.body ?? d.body)
    this.add = new ConcurrencyLimit(limits.add ?? d.add)
    this.sharedListings = limits.sharedListings ?? d.sharedListings
    this.retryAfterSeconds = limits.retryAfterSeconds ?? d.retryAfterSeconds
  }
}

export type RequestClass = 'list' | 'body' | 'add'

/**
 * Connections the kernel queues before the server accepts them (node's default is 511): a burst
 * of 1,000 connections waits for its turn instead of being refused.
 */
export const LISTEN_BACKLOG = 2048
