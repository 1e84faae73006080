import { withBitswap, type BitswapOptions } from '@helia/bitswap'
import { CID } from 'multiformats/cid'
import { BLOCKS_BELOW_PROTOCOL, BlocksBelow, serveBlocksBelow, type LinksOf } from './blocks-below.ts'
import { BlockFetchError } from './errors.ts'
import { hashKey, hasherFor, matchesCid } from './hashes.ts'
import type { SqliteBlockstore } from './sqlite-blockstore.ts'
import type { AbortOptions, Libp2p, Startable } from '@libp2p/interface'
import type { MultihashHasher } from 'multiformats/hashes/interface'

export interface BlockExchangeOptions {
  /** The cluster peer's libp2p host (bitswap registers its protocols there). It needs identify. */
  libp2p: Libp2p
  blockstore: SqliteBlockstore
  /** Default deadline of getBlock, in ms. Go's CRDT gives a DAG walk's fetch 2 minutes. */
  fetchTimeoutMs?: number
  /** Extra @helia/bitswap options (message sizes, stream limits). */
  bitswap?: BitswapOptions
  /**
   * How to read a block's links. Given, the exchange serves and asks for blocks below a CID in
   * one exchange with our other peers (blocks-below.ts): a long walk then skips a round trip per
   * block. Absent: bitswap only.
   */
  linksOf?: LinksOf
}

export interface GetBlockOptions extends AbortOptions {
  /** Overrides the exchange's default deadline for this block. */
  timeoutMs?: number
  /**
   * Blocks the caller's DAG walk has fetched so far. Past WALK_AHEAD_AFTER the walk is taken for
   * a long one (a catch-up) and blocks below are asked for too, about as many as it has fetched.
   */
  walked?: number
}

/** Blocks a walk fetches one by one before asking for blocks below (a walk of a new head takes 1–2). */
const WALK_AHEAD_AFTER = 32

/** What @helia/bitswap's block broker offers once started (a Helia BlockBroker). */
interface BitswapBroker extends Startable {
  retrieve(cid: CID, options?: AbortOptions): Promise<Uint8Array>
  announce(cid: CID, options?: AbortOptions): Promise<void>
}

/** A Helia mixin as @helia/interface declares it (`addMixin`). */
interface Mixin { name: string, start?: (host: unknown) => Promise<void> | void }

const DEFAULT_FETCH_TIMEOUT_MS = 120_000

/**
 * Block exchange for the Merkle-CRDT: blocks are read from the local SQLite store first and
 * otherwise asked of every connected peer over bitswap (no content routing, as Go's ipfs-lite
 * runs it); every fetched block is stored and served to peers that want it.
 */
export class BlockExchange implements Startable {
  readonly blockstore: SqliteBlockstore
  private readonly libp2p: Libp2p
  private readonly fetchTimeoutMs: number
  private readonly bitswapOptions: BitswapOptions
  private broker: BitswapBroker | undefined
  private stopping = new AbortController()
  private readonly linksOf: LinksOf | undefined
  private readonly below: BlocksBelow | undefined
  /** Network fetches under way, by multihash: a block stored meanwhile ends them (see stored). */
  private readonly fetching = new Map<string, Set<(bytes: Uint8Array) => void>>()

  constructor (options: BlockExchangeOptions) {
    this.libp2p = options.libp2p
    this.blockstore = options.blockstore
    this.fetchTimeoutMs = options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS
    // Go's ipfs-lite answers a want-have for a block up to 1 KiB with the block itself. Wants
    // go out after 1 ms instead of 10: a DAG walk down a chain of deltas asks for one block at
    // a time, and the default made each fetch take ~17 ms on loopback instead of ~6.
    this.bitswapOptions = { maxSizeReplaceHasWithBlock: 1024, sendWantlistDebounce: 1, ...options.bitswap }
    this.linksOf = options.linksOf
    this.below = options.linksOf === undefined
      ? undefined
      : new BlocksBelow(options.libp2p, options.blockstore, options.linksOf, (cid, bytes) => { this.stored(cid, bytes) })
  }

  isStarted (): boolean {
    return this.broker !== undefined
  }

  async start (): Promise<void> {
    if (this.broker !== undefined) return
    this.stopping = new AbortController()
    this.broker = await startBitswap(this.libp2p, this.blockstore, this.bitswapOptions)
    const linksOf = this.linksOf
    if (linksOf !== undefined) {
      await this.libp2p.handle(BLOCKS_BELOW_PROTOCOL, async (stream) => { await serveBlocksBelow(stream, this.blockstore, linksOf) })
    }
  }

  async stop (): Promise<void> {
    const broker = this.broker
    this.broker = undefined
    this.stopping.abort()
    this.below?.stop()
    if (this.linksOf !== undefined) await this.libp2p.unhandle(BLOCKS_BELOW_PROTOCOL).catch(() => {})
    await broker?.stop()
  }

  /**
   * The block's bytes: from the store, else from a connected peer (then stored). Rejects with
   * BlockFetchError ('timeout' after `timeoutMs`, 'aborted' on the caller's signal, 'stopped').
   */
  async getBlock (cid: CID, options: GetBlockOptions = {}): Promise<Uint8Array> {
    if (this.blockstore.has(cid)) return this.blockstore.getBytes(cid)
    const broker = this.broker
    if (broker === undefined) throw new BlockFetchError(cid.toString(), 'stopped', 'the block exchange is not started')
    const walked = options.walked ?? 0
    if (this.below !== undefined && walked >= WALK_AHEAD_AFTER && options.signal?.aborted !== true) {
      await this.below.prefetch(cid, walked)
      if (this.blockstore.has(cid)) return this.blockstore.getBytes(cid)
    }
    const got = await this.retrieve(broker, cid, options.signal, options.timeoutMs ?? this.fetchTimeoutMs)
    if (got.stored) return got.bytes
    // bitswap checked the bytes against the CID's hash before handing them over; it may hand a
    // Node Buffer, callers get a plain Uint8Array.
    const plain = new Uint8Array(got.bytes.buffer, got.bytes.byteOffset, got.bytes.byteLength)
    await this.blockstore.put(cid, plain)
    return plain
  }

  /**
   * One bitswap fetch, ended by the first of: the block from a peer, the block stored here
   * another way meanwhile (carried by an announcement, or in a blocks-below answer to another
   * walk: bitswap would then cancel the want without ever answering it), the timeout, the
   * caller's abort, the exchange stopping. It ends at once: bitswap's own ending of an aborted
   * want waits for its wantlist sends to every peer, which a stopped peer holds up to 10 s.
   */
  private async retrieve (broker: BitswapBroker, cid: CID, signal: AbortSignal | undefined, timeoutMs: number): Promise<{ bytes: Uint8Array, stored: boolean }> {
    let settle!: { resolve: (got: { bytes: Uint8Array, stored: boolean }) => void, reject: (err: unknown) => void }
    const outcome = new Promise<{ bytes: Uint8Array, stored: boolean }>((resolve, reject) => { settle = { resolve, reject } })
    // One controller per fetch, its timer and listeners removed as soon as the fetch ends: a
    // catch-up makes many thousands of fetches and must not keep each one's timer alive.
    const fetch = new AbortController()
    const end = (why: 'timeout' | 'aborted' | 'stopped', message: string) => () => {
      settle.reject(new BlockFetchError(cid.toString(), why, message))
      fetch.abort()
    }
    const onCallerAbort = end('aborted', 'the caller gave up')
    const onStop = end('stopped', 'the block exchange stopped')
    const timer = setTimeout(end('timeout', `no connected peer sent it within ${timeoutMs} ms`), timeoutMs)
    signal?.addEventListener('abort', onCallerAbort, { once: true })
    this.stopping.signal.addEventListener('abort', onStop, { once: true })
    const onStored = (bytes: Uint8Array): void => { settle.resolve({ bytes, stored: true }); fetch.abort() }
    const key = hashKey(cid)
    const waiters = this.fetching.get(key) ?? new Set()
    waiters.add(onStored)
    this.fetching.set(key, waiters)
    try {
      if (signal?.aborted === true) onCallerAbort()
      else broker.retrieve(cid, { signal: fetch.signal }).then(bytes => { settle.resolve({ bytes, stored: false }) }, settle.reject)
      return await outcome
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onCallerAbort)
      this.stopping.signal.removeEventListener('abort', onStop)
      waiters.delete(onStored)
      if (waiters.size === 0 && this.fetching.get(key) === waiters) this.fetching.delete(key)
    }
  }

  /**
   * Stores a block (made here, or carried by an announcement) and tells bitswap, so peers already
   * waiting for it get it now and later wants are answered from the store. Resolves once stored:
   * the telling is not awaited, because when this peer itself still wants the block, bitswap
   * cancels that want with its next wantlist round, which waits for the previous round's sends
   * to every peer, and a stopped peer holds those up to bitswap's send timeout (10 s).
   */
  async putBlock (cid: CID, bytes: Uint8Array): Promise<void> {
    if (await matchesCid(cid, bytes) === false) {
      throw new BlockFetchError(cid.toString(), 'invalid', 'the bytes do not hash to the CID')
    }
    await this.blockstore.put(cid, bytes)
    this.stored(cid, bytes)
    this.broker?.announce(cid).catch(() => {})
  }

  /** Ends the network fetches of a block that has just been stored. */
  private stored (cid: CID, bytes: Uint8Array): void {
    const waiters = this.fetching.get(hashKey(cid))
    if (waiters === undefined) return
    for (const done of waiters) done(bytes)
  }

  async hasBlock (cid: CID): Promise<boolean> {
    return this.blockstore.has(cid)
  }
}

/**
 * @helia/bitswap 4 exports only `withBitswap(helia)`, a Helia mixin. Helia's own contract for
 * mixins and block brokers (@helia/interface: addMixin, hasBlockBroker, addBlockBroker, status)
 * is all it uses, so a minimal host that provides those plus the components bitswap reads
 * (libp2p, blockstore, routing, logger, getHasher) runs it without a whole Helia node.
 */
async function startBitswap (libp2p: Libp2p, blockstore: SqliteBlockstore, options: BitswapOptions): Promise<BitswapBroker> {
  const mixins: Mixin[] = []
  let broker: BitswapBroker | undefined
  const host = {
    status: 'starting' as const,
    libp2p,
    blockstore,
    logger: libp2p.logger,
    // No content routing: like Go's ipfs-lite (provider finder nil), wants go to connected peers only.
    routing: { async * findProviders () {} },
    // Unknown hash: bitswap skips that block (a throw would drop the rest of the peer's message).
    getHasher: (code: number): MultihashHasher | undefined => hasherFor(code),
    addMixin: (mixin: Mixin) => { mixins.push(mixin) },
    hasBlockBroker: (name: string) => broker !== undefined && name === 'bitswap',
    addBlockBroker: (added: BitswapBroker) => { broker = added }
  }
  withBitswap(host as unknown as Parameters<typeof withBitswap>[0], options)
  for (const mixin of mixins) await mixin.start?.(host)
  if (broker === undefined) throw new Error('@helia/bitswap did not add its block broker')
  return broker
}

