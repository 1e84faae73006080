import { randomBytes } from 'node:crypto'
import type { CID } from 'multiformats/cid'
import { parseCid } from '@cluster/api'
import { CODEC_NAMES, MULTIHASH_NAMES, toCid, type CidLike } from './cid.ts'
import { BlockPutError, IpfsBadResponseError, messageOf } from './errors.ts'
import type { KuboHttp, Query } from './http.ts'
import type { TimeoutOptions } from './pins.ts'
import type { BlockInput, BlockPutResult } from './types.ts'

/** `block/put` query for blocks shaped like `cid` (Go's keys, sorted). */
export function blockPutQuery (cid: CID): Query {
  const codec = CODEC_NAMES.get(cid.code)
  if (codec === undefined) throw new BlockPutError(`cannot find name for the blocks' CID codec: ${cid.code.toString(16)}`)
  const mhtype = MULTIHASH_NAMES.get(cid.multihash.code)
  if (mhtype === undefined) throw new BlockPutError(`cannot find name for the blocks' multihash type: ${cid.multihash.code.toString(16)}`)
  return [
    ['allow-big-block', 'true'],
    ['cid-codec', codec],
    ['mhlen', String(cid.multihash.size)],
    ['mhtype', mhtype],
    ['pin', 'false']
  ]
}

/**
 * Multipart body, one part per block, produced while blocks arrive. Every block must share
 * the first one's codec and multihash type (Kubo hashes them all the same way).
 */
async function * multipart (first: BlockInput, rest: AsyncIterator<BlockInput> | Iterator<BlockInput>, boundary: string): AsyncGenerator<Uint8Array> {
  const enc = new TextEncoder()
  const part = (b: BlockInput): Uint8Array[] => [
    enc.encode(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${b.cid.toString()}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n'),
    b.bytes,
    enc.encode('\r\n')
  ]
  yield * part(first)
  while (true) {
    const next = await rest.next()
    if (next.done === true) break
    const b = next.value
    if (b.cid.code !== first.cid.code || b.cid.multihash.code !== first.cid.multihash.code || b.cid.multihash.size !== first.cid.multihash.size) {
      throw new BlockPutError(`block ${b.cid.toString()} does not share the codec/multihash of the stream's first block ${first.cid.toString()}`)
    }
    yield * part(b)
  }
  yield enc.encode(`--${boundary}--\r\n`)
}

/**
 * `block/put` of a stream of blocks in one multipart request (chunked, produced as the
 * blocks arrive). Yields Kubo's acknowledgement for each stored block, in order.
 */
export async function * blockPut (
  http: KuboHttp,
  blocks: AsyncIterable<BlockInput> | Iterable<BlockInput>,
  options: TimeoutOptions = {}
): AsyncGenerator<BlockPutResult> {
  const it = Symbol.asyncIterator in blocks ? blocks[Symbol.asyncIterator]() : blocks[Symbol.iterator]()
  const first = await it.next()
  if (first.done === true) throw new BlockPutError('BlockStream: no blocks to peek in blocks channel')
  const query = blockPutQuery(first.value.cid)
  const boundary = randomBytes(16).toString('hex')
  const res = await http.call('block/put', query, {
    ...options,
    body: { contentType: `multipart/form-data; boundary=${boundary}`, chunks: multipart(first.value, it, boundary) }
  })
  for await (const line of res.lines<{ Key?: unknown, Size?: unknown }>()) {
    if (typeof line?.Key !== 'string') throw new IpfsBadResponseError(res.label, `unexpected block/put line ${JSON.stringify(line)}`)
    let key: CID
    try {
      key = parseCid(line.Key)
    } catch (err) {
      throw new IpfsBadResponseError(res.label, `bad CID ${JSON.stringify(line.Key)}: ${messageOf(err)}`, err)
    }
    yield { key, size: typeof line.Size === 'number' ? line.Size : 0 }
  }
}

/** `block/get?arg=<cid>`: the raw block bytes. */
export async function blockGet (http: KuboHttp, cid: CidLike, options: TimeoutOptions = {}): Promise<Uint8Array> {
  const res = await http.call('block/get', [['arg', toCid(cid).toString()]], options)
  return await res.bytes()
}

/** `block/stat?arg=<cid>`: `{key, size}`. */
export async function blockStat (http: KuboHttp, cid: CidLike, options: TimeoutOptions = {}): Promise<{ key: CID, size: number }> {
  const res = await http.call('block/stat', [['arg', toCid(cid).toString()]], options)
  const body = await res.json<{ Key?: unknown, Size?: unknown }>()
  if (typeof body?.Key !== 'string' || typeof body.Size !== 'number') {
    throw new IpfsBadResponseError(res.label, `unexpected answer ${JSON.stringify(body)}`)
  }
  return { key: toCid(body.Key), size: body.Size }
}
