import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { identify } from '@libp2p/identify'
import { loopbackNode, seededBytes } from '@cluster/test-utils'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'

import { BlockExchange, SqliteBlockstore, type BlockExchangeOptions } from '../src/index.ts'
import type { Libp2p } from '@libp2p/interface'

export interface Block { cid: CID, bytes: Uint8Array }

export interface ExchangePeer { node: Libp2p, store: SqliteBlockstore, exchange: BlockExchange }

/** A loopback libp2p node with identify, a blockstore `<dir>/<name>.db` and a started exchange (fetches time out after 20 s). */
export async function exchangePeer (dir: string, name: string, options: Partial<BlockExchangeOptions> = {}): Promise<ExchangePeer> {
  const node = await loopbackNode({ identify: identify() })
  const store = SqliteBlockstore.open(join(dir, `${name}.db`))
  const exchange = new BlockExchange({ libp2p: node, blockstore: store, fetchTimeoutMs: 20_000, ...options })
  await exchange.start()
  return { node, store, exchange }
}

/** A raw block of `size` deterministic bytes (CIDv1, sha2-256). */
export async function rawBlock (size: number, seed: number): Promise<Block> {
  const bytes = seededBytes(size, seed)
  return { cid: CID.createV1(raw.code, await sha256.digest(bytes)), bytes }
}

export async function rawBlocks (count: number, size: number, seed = 1): Promise<Block[]> {
  const out: Block[] = []
  for (let i = 0; i < count; i++) out.push(await rawBlock(size, seed * 100_003 + i))
  return out
}

/** A temporary folder removed by the returned function. */
export async function tempDir (): Promise<{ dir: string, remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'blockstore-'))
  return { dir, remove: async () => { await rm(dir, { recursive: true, force: true }) } }
}

export function bytesOf (chunks: Iterable<Uint8Array>): Uint8Array {
  const list = [...chunks]
  const out = new Uint8Array(list.reduce((n, c) => n + c.byteLength, 0))
  let offset = 0
  for (const c of list) { out.set(c, offset); offset += c.byteLength }
  return out
}
