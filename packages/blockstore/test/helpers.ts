import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { seededBytes } from '@cluster/test-utils'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'

export interface Block { cid: CID, bytes: Uint8Array }

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
