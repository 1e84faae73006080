// Test fixtures: CIDs and peer IDs, a fake in-memory IPFS, an in-memory pinset, a hand-driven clock.
import { CID, Timestamp, defaultPinOptions, parseCid, parsePeerId } from '@cluster/api'
import type { PeerId, Pin } from '@cluster/api'
import { StatelessTracker } from '../src/index.ts'
import type { IpfsPinEntry, IpfsPinOptions, IpfsPinType, PinsetReader, StatelessConfig, TrackerIpfs } from '../src/index.ts'

/** A CIDv0 whose digest is derived from `n` (distinct for distinct n). */
export function makeCid (n: number, version: 0 | 1 = 0): CID {
  const digest = new Uint8Array(32)
  new DataView(digest.buffer).setUint32(0, n)
  digest[31] = 7
  const mh = new Uint8Array([0x12, 0x20, ...digest])
  return version === 0 ? CID.decode(mh) : CID.decode(new Uint8Array([0x01, 0x55, ...mh]))
}

/** A peer ID (base58 sha2-256 multihash) derived from `n`. */
export function makePeer (n: number): PeerId {
  return parsePeerId(makeCid(1_000_000 + n).toString())
}

export const P1 = makePeer(1)
export const P2 = makePeer(2)
export const Cid1 = makeCid(1)
export const Cid2 = makeCid(2)
export const Cid3 = makeCid(3)
export const Cid4 = makeCid(4)
export const Cid5 = makeCid(5)
export const ErrorCid = makeCid(666)
export const SlowCid1 = makeCid(777)

/** A clock tests move by hand (milliseconds since the epoch). */
export class FakeClock {
  ms: number
  constructor (start = Date.UTC(2025, 0, 1)) { this.ms = start }
  now = (): number => this.ms
  advance (ms: number): void { this.ms += ms }
  timestamp (): Timestamp { return Timestamp.fromUnixMillis(this.ms) }
}

export interface PinSpec {
  everywhere?: boolean
  allocations?: PeerId[]
  rf?: [number, number]
  type?: Pin['type']
  maxDepth?: number
  name?: string
  timestamp?: Timestamp
  expireAt?: Timestamp
}

/** A pin as the state holds it. Default: everywhere, recursive, timestamp 2025-01-01. */
export function makePin (cid: CID, spec: PinSpec = {}): Pin {
  const everywhere = spec.everywhere ?? (spec.allocations === undefined && spec.rf === undefined)
  const [min, max] = spec.rf ?? (everywhere ? [-1, -1] : [0, 0])
  return {
    ...defaultPinOptions(),
    replicationFactorMin: min,
    replicationFactorMax: max,
    name: spec.name ?? '',
    mode: (spec.maxDepth ?? -1) === 0 ? 'direct' : 'recursive',
    expireAt: spec.expireAt ?? Timestamp.ZERO,
    cid,
    type: spec.type ?? 'pin',
    allocations: spec.allocations ?? [],
    maxDepth: spec.maxDepth ?? -1,
    reference: undefined,
    timestamp: spec.timestamp ?? Timestamp.fromUnixMillis(Date.UTC(2025, 0, 1))
  }
}

/** The shared state as a Map (CID string → Pin). */
export class MemoryPinset implements PinsetReader {
  readonly pins = new Map<string, Pin>()
  failGet: Error | undefined
  failList: Error | undefined
  constructor (pins: Pin[] = []) { for (const p of pins) this.add(p) }
  add (pin: Pin): void { this.pins.set(pin.cid.toString(), pin) }
  remove (cid: CID): void { this.pins.delete(cid.toString()) }
  async get (cid: CID): Promise<Pin | undefined> {
    if (this.failGet !== undefined) throw this.failGet
    return this.pins.get(cid.toString())
  }

  async * list (): AsyncGenerator<Pin> {
    if (this.failList !== undefined) throw this.failList
    for (const p of [...this.pins.values()]) yield p
  }
}

interface Deferred { promise: Promise<void>, resolve: () => void, reject: (err: Error) => void }
function deferred (): Deferred {
  let resolve!: () => void
  let reject!: (err: Error) => void
  const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej })
  return { promise, resolve, reject }
}

export interface IpfsCall { op: 'pin' | 'unpin', cid: string, options?: IpfsPinOptions }

/**
 * In-memory IPFS. Pins succeed at once unless the CID is in `failPin`/`failUnpin` (reject) or
 * `gated` (the call waits until `release(cid)` or until its signal aborts, which is recorded in
 * `aborted`). `forbidden` calls (`"pin <cid>"`, `"unpin <cid>"`) must never reach IPFS: such a
 * call is recorded in `violations`.
 */
export class FakeIpfs implements TrackerIpfs {
  readonly pins = new Map<string, IpfsPinType>()
  readonly calls: IpfsCall[] = []
  readonly aborted: string[] = []
  readonly violations: string[] = []
  readonly failPin = new Set<string>()
  readonly failUnpin = new Set<string>()
  readonly gated = new Set<string>()
  readonly forbidden = new Set<string>()
  failPinLs: Error | undefined
  failPinLsCid: Error | undefined
  inFlight = 0
  maxInFlight = 0
  readonly #gates = new Map<string, Deferred>()
  readonly #started = new Map<string, Deferred>()

  /** Resolves when a call for `cid` has started (now or later). */
  started (cid: CID): Promise<void> {
    const key = cid.toString()
    let d = this.#started.get(key)
    if (d === undefined) { d = deferred(); this.#started.set(key, d) }
    return d.promise
  }

  /** Lets a gated call for `cid` finish (successfully). */
  release (cid: CID): void {
    this.gated.delete(cid.toString())
    this.#gates.get(cid.toString())?.resolve()
  }

  async #call (op: 'pin' | 'unpin', cid: CID, signal: AbortSignal, options?: IpfsPinOptions): Promise<void> {
    const key = cid.toString()
    this.calls.push({ op, cid: key, ...(options === undefined ? {} : { options }) })
    if (this.forbidden.has(`${op} ${key}`)) this.violations.push(`${op} ${key}`)
    this.inFlight++
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
    const started = this.#started.get(key) ?? deferred()
    this.#started.set(key, started)
    started.resolve()
    try {
      if (this.gated.has(key)) {
        const gate = deferred()
        this.#gates.set(key, gate)
        const onAbort = (): void => {
          this.aborted.push(`${op} ${key}`)
          gate.reject(new Error('context canceled'))
        }
        if (signal.aborted) onAbort()
        else signal.addEventListener('abort', onAbort, { once: true })
        try {
          await gate.promise
        } finally {
          signal.removeEventListener('abort', onAbort)
          this.#gates.delete(key)
        }
      } else {
        await Promise.resolve()
      }
      if (op === 'pin' && this.failPin.has(key)) throw new Error(`pin of ${key} failed`)
      if (op === 'unpin' && this.failUnpin.has(key)) throw new Error(`unpin of ${key} failed`)
    } finally {
      this.inFlight--
      this.#started.delete(key)
    }
  }

  async pin (cid: CID, options: IpfsPinOptions): Promise<void> {
    await this.#call('pin', cid, options.signal, options)
    this.pins.set(cid.toString(), options.mode)
  }

  async unpin (cid: CID, options: { signal: AbortSignal }): Promise<void> {
    await this.#call('unpin', cid, options.signal)
    this.pins.delete(cid.toString()) // "not pinned" is success
  }

  async pinLsCid (cid: CID, mode: 'recursive' | 'direct'): Promise<IpfsPinType | undefined> {
    if (this.failPinLsCid !== undefined) throw this.failPinLsCid
    const t = this.pins.get(cid.toString())
    return t === mode ? t : undefined
  }

  async * pinLs (): AsyncGenerator<IpfsPinEntry> {
    if (this.failPinLs !== undefined) throw this.failPinLs
    for (const [cid, type] of [...this.pins]) if (type !== 'indirect') yield { cid: parseCid(cid), type }
  }

  countCalls (op: 'pin' | 'unpin', cid: CID): number {
    return this.calls.filter((c) => c.op === op && c.cid === cid.toString()).length
  }
}

/** Lets queued microtasks and promise chains run (no timers involved). */
export async function settle (rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => { setImmediate(resolve) })
}

export async function collect<T> (it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

export interface Harness {
  clock: FakeClock
  ipfs: FakeIpfs
  pinset: MemoryPinset
  tracker: StatelessTracker
}

/** A tracker for peer P1 over a fake IPFS, an in-memory pinset and a fake clock. */
export function harness (pins: Pin[] = [], config: Partial<StatelessConfig> = {}, ipfsPeerId: PeerId | undefined = P2): Harness {
  const clock = new FakeClock()
  const ipfs = new FakeIpfs()
  const pinset = new MemoryPinset(pins)
  const tracker = new StatelessTracker({
    peerId: P1,
    peerName: 'peer_1',
    clock,
    identity: () => ({ ipfsPeerId }),
    ipfs,
    pinset,
    config
  })
  return { clock, ipfs, pinset, tracker }
}
