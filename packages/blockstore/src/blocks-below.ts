/**
 * Blocks below a set of roots in one exchange (`/cluster-ts/blocks-below/1.0.0`). A DAG walk
 * down a long chain of deltas (a new or returning peer catching up) can only ask bitswap for the
 * next block once it has the one above: one round trip per block. Between our peers the walker
 * asks instead for up to `max` blocks at and below the CIDs it misses, breadth first, and stores
 * them (each checked against its CID) before walking on. Go peers do not speak the protocol: a
 * walk then fetches over bitswap as before.
 *
 *   asker  → {roots: [CID string…], max}                           one frame, JSON
 *   server → varint(length of CID bytes) ‖ CID bytes ‖ block bytes   one frame per block
 *   server → empty frame                                            the end
 */
import type { Libp2p, PeerId, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { varint } from 'multiformats'
import { CID } from 'multiformats/cid'
import { hashKey, matchesCid } from './hashes.ts'
import type { SqliteBlockstore } from './sqlite-blockstore.ts'

export const BLOCKS_BELOW_PROTOCOL = '/cluster-ts/blocks-below/1.0.0'
/** Most blocks one answer carries, and most roots one request names. */
export const MAX_BLOCKS_BELOW = 512
const MAX_ROOTS = 256
/**
 * Most block bytes one answer carries (blocks past it are left for the next request). Larger
 * answers walk faster but cost the asker resident memory: catching up 100k pins took ~35–55 s
 * with 1 MiB answers (peak RSS ~350 MiB), ~22–45 s with 8 MiB (~420 MiB), ~50–70 s with 256 KiB
 * (~300 MiB), against ~80 s (~240 MiB) over bitswap alone.
 */
const MAX_ANSWER_BYTES = 1024 * 1024
const MAX_REQUEST_BYTES = 64 * 1024
/** Largest block a frame may hold (the blockstore's default limit) plus its CID. */
const MAX_FRAME_BYTES = 4 * 1024 * 1024 + 256
/**
 * Longest wait for the next frame. A peer that stops answering (paused, overloaded) holds up the
 * walk that long before it goes to the next peer or to bitswap, which asks every peer at once.
 */
const IDLE_MS = 5_000
/** A peer whose answer failed (or never came) is not asked again for this long: bitswap meanwhile. */
const REST_MS = 60_000
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** The CIDs a block links to (its DAG children); [] when it has none or its codec is unknown. */
export type LinksOf = (cid: CID, bytes: Uint8Array) => CID[]

const idle = (): { signal: AbortSignal } => ({ signal: AbortSignal.timeout(IDLE_MS) })

/**
 * Answers one request on `stream` from `blockstore`: the blocks it holds at and below the roots,
 * breadth first, at most `max` of them and MAX_ANSWER_BYTES. Memory: the queue of CIDs to visit
 * is bounded by the answer's size.
 */
export async function serveBlocksBelow (stream: Stream, blockstore: SqliteBlockstore, linksOf: LinksOf): Promise<void> {
  const lp = lpStream(stream, { maxDataLength: MAX_REQUEST_BYTES })
  try {
    const { roots, max } = parseRequest((await lp.read(idle())).subarray())
    const queue: CID[] = roots
    const visited = new Set<string>()
    let sent = 0
    let bytes = 0
    for (let i = 0; i < queue.length && sent < max && bytes < MAX_ANSWER_BYTES; i++) {
      const cid = queue[i] as CID
      const key = cid.toString()
      if (visited.has(key)) continue
      visited.add(key)
      if (!blockstore.has(cid)) continue
      const data = blockstore.getBytes(cid)
      await lp.write(frame(cid, data), idle())
      sent++
      bytes += data.byteLength
      if (queue.length < 4 * max) queue.push(...linksOf(cid, data))
    }
    await lp.write(new Uint8Array(0), idle())
    await stream.close().catch(() => {})
  } catch (err) {
    stream.abort(err as Error)
  }
}

function parseRequest (bytes: Uint8Array): { roots: CID[], max: number } {
  const req = JSON.parse(decoder.decode(bytes)) as { roots?: unknown, max?: unknown }
  if (!Array.isArray(req.roots) || req.roots.length > MAX_ROOTS || !Number.isSafeInteger(req.max) || (req.max as number) < 1) {
    throw new Error('bad blocks-below request')
  }
  const roots = req.roots.map(r => { if (typeof r !== 'string') throw new Error('bad blocks-below root'); return CID.parse(r) })
  return { roots, max: Math.min(req.max as number, MAX_BLOCKS_BELOW) }
}

function frame (cid: CID, data: Uint8Array): Uint8Array {
  const prefix = varint.encodeTo(cid.bytes.byteLength, new Uint8Array(varint.encodingLength(cid.bytes.byteLength)))
  const out = new Uint8Array(prefix.byteLength + cid.bytes.byteLength + data.byteLength)
  out.set(prefix)
  out.set(cid.bytes, prefix.byteLength)
  out.set(data, prefix.byteLength + cid.bytes.byteLength)
  return out
}

/**
 * Asks the server at the other end of `stream` for blocks below `roots`; hands each one, checked
 * against its CID's hash, to `onBlock`. Resolves with the number received; rejects on a broken
 * answer (a block that does not match its CID or is neither a root nor linked from a block
 * received before it, more blocks than asked for, a stream that ends before the end frame).
 */
export async function fetchBlocksBelow (stream: Stream, roots: readonly CID[], max: number, linksOf: LinksOf, onBlock: (cid: CID, bytes: Uint8Array) => void): Promise<number> {
  // What the answer may hold: the roots, then what the blocks received link to (a peer cannot
  // fill our store with blocks of its choosing).
  const expected = new Set(roots.map(hashKey))
  const lp = lpStream(stream, { maxDataLength: MAX_FRAME_BYTES })
  await lp.write(encoder.encode(JSON.stringify({ roots: roots.map(r => r.toString()), max })), idle())
  let received = 0
  while (true) {
    const bytes = (await lp.read(idle())).subarray()
    if (bytes.byteLength === 0) break
    if (++received > max) throw new Error('more blocks than asked for')
    const [cidLength, at] = varint.decode(bytes)
    const cid = CID.decode(bytes.subarray(at, at + cidLength))
    const data = bytes.slice(at + cidLength)
    if (!expected.has(hashKey(cid))) throw new Error(`block ${cid.toString()} was not asked for`)
    const matches = await matchesCid(cid, data)
    if (matches === undefined) continue
    if (!matches) throw new Error(`block ${cid.toString()} does not match its hash`)
    for (const link of linksOf(cid, data)) expected.add(hashKey(link))
    onBlock(cid, data)
  }
  await stream.close().catch(() => {})
  return received
}

/**
 * The asking side for a block exchange: walks' misses are gathered into one request at a time,
 * sent to a connected peer that speaks the protocol (the next one when a peer has none of them).
 */
export class BlocksBelow {
  private readonly libp2p: Libp2p
  private readonly blockstore: SqliteBlockstore
  private readonly linksOf: LinksOf
  /** Roots for the next request, by CID string. */
  private readonly waiting = new Map<string, CID>()
  private current: Promise<void> | undefined
  private nextMax = 0
  private stream: Stream | undefined
  /** Peers not to ask until the time given (ms since the epoch), by peer ID string. */
  private readonly resting = new Map<string, number>()

  private readonly onStored: (cid: CID, bytes: Uint8Array) => void

  /** `onStored` is told of every block an answer brought, once stored. */
  constructor (libp2p: Libp2p, blockstore: SqliteBlockstore, linksOf: LinksOf, onStored: (cid: CID, bytes: Uint8Array) => void = () => {}) {
    this.libp2p = libp2p
    this.blockstore = blockstore
    this.linksOf = linksOf
    this.onStored = onStored
  }

  /**
   * Resolves once a request that named `cid` has ended: the block, and up to `max` blocks below
   * it, are then in the store if a peer of ours had them. Never rejects.
   */
  async prefetch (cid: CID, max: number): Promise<void> {
    const key = cid.toString()
    this.waiting.set(key, cid)
    this.nextMax = Math.max(this.nextMax, Math.min(max, MAX_BLOCKS_BELOW))
    while (this.waiting.has(key)) {
      this.current ??= this.requestWaiting().finally(() => { this.current = undefined })
      await this.current
    }
  }

  private async requestWaiting (): Promise<void> {
    const roots: CID[] = []
    for (const [key, cid] of this.waiting) {
      if (roots.length === MAX_ROOTS) break
      this.waiting.delete(key)
      if (!this.blockstore.has(cid)) roots.push(cid)
    }
    const max = Math.max(this.nextMax, roots.length)
    this.nextMax = 0
    if (roots.length === 0) return
    for (const peer of await this.speakers()) {
      try {
        const stream = await this.libp2p.dialProtocol(peer, BLOCKS_BELOW_PROTOCOL, idle())
        this.stream = stream
        // Stored together at the end, in one transaction (an answer is at most MAX_ANSWER_BYTES).
        const blocks: Array<{ cid: CID, bytes: Uint8Array }> = []
        const n = await fetchBlocksBelow(stream, roots, max, this.linksOf, (cid, bytes) => { blocks.push({ cid, bytes }) })
        this.blockstore.putBlocks(blocks)
        for (const b of blocks) this.onStored(b.cid, b.bytes)
        if (n > 0) return
      } catch {
        // That peer could not answer: it rests, and the next one is asked, else bitswap.
        this.resting.set(peer.toString(), Date.now() + REST_MS)
      } finally {
        this.stream = undefined
      }
    }
  }

  /** Ends the request under way (the exchange stops): its waiters go on to bitswap, which is stopped too. */
  stop (): void {
    this.stream?.abort(new Error('the block exchange stopped'))
  }

  /** Connected peers whose identify listed the protocol, but not those resting. */
  private async speakers (): Promise<PeerId[]> {
    const peers: PeerId[] = []
    const now = Date.now()
    for (const [id, until] of this.resting) if (until <= now) this.resting.delete(id)
    for (const peer of this.libp2p.getPeers()) {
      if (this.resting.has(peer.toString())) continue
      const known = await this.libp2p.peerStore.get(peer).catch(() => undefined)
      if (known?.protocols.includes(BLOCKS_BELOW_PROTOCOL) === true) peers.push(peer)
    }
    return peers
  }
}
