/**
 * Directory nodes as Kubo builds them (boxo unixfs/io): a plain dag-pb directory, or a HAMT
 * sharded directory (fanout 256, murmur3-64) once the estimated size, the sum over its links of
 * name length + CID length, exceeds 256 KiB. Outputs follow Kubo's `outputDirs`: depth first,
 * children before parents, siblings in link order (sorted names; HAMT order when sharded).
 */
import * as dagPb from '@ipld/dag-pb'
import { murmur3128 } from '@multiformats/murmur3'
import { Bucket, createHAMT } from 'hamt-sharding'
import { UnixFS } from 'ipfs-unixfs'
import type { CID } from 'multiformats/cid'
import type { BlockWriter } from './block-writer.ts'
import { AdderError } from './errors.ts'
import { HAMT_THRESHOLD_BYTES } from './params.ts'
import type { DirNode } from './tree.ts'
import type { AddedNode } from './types.ts'

/** Multihash code of murmur3-x64-64, recorded in HAMT nodes. */
const HAMT_HASH_TYPE = 0x22n
const HAMT_FANOUT_BITS = 8

interface Entry {
  name: string
  cid: CID
  size: number
  /** The outputs of a subdirectory, already in order (last = the subdirectory itself). */
  outputs: AddedNode[]
}

interface Built { cid: CID, size: number, outputs: AddedNode[] }

export interface DirectoryContext {
  writer: BlockWriter
  cidVersion: 0 | 1
}

const encoder = new TextEncoder()

/** Go's HAMT hash: the first 64 bits of murmur3-x64-128, byte-reversed (as go-unixfs reads them). */
async function hamtHash (bytes: Uint8Array): Promise<Uint8Array> {
  return (await murmur3128.encode(bytes)).slice(0, 8).reverse()
}

function join (parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`
}

async function writeNode (node: dagPb.PBNode, ctx: DirectoryContext): Promise<{ cid: CID, size: number }> {
  const bytes = dagPb.encode(dagPb.prepare(node))
  const cid = await ctx.writer.nodeCid(bytes, ctx.cidVersion)
  await ctx.writer.putVerbatim(cid, bytes)
  return { cid, size: bytes.length + node.Links.reduce((n, l) => n + (l.Tsize ?? 0), 0) }
}

async function buildFlat (entries: Entry[], ctx: DirectoryContext): Promise<{ cid: CID, size: number, order: Entry[] }> {
  const Links = entries.map(e => ({ Name: e.name, Hash: e.cid, Tsize: e.size }))
  const written = await writeNode({ Data: new UnixFS({ type: 'directory' }).marshal(), Links }, ctx)
  // dag-pb sorts links by name bytes: that is the order Kubo lists them in.
  const byName = new Map(entries.map(e => [e.name, e]))
  const order = dagPb.prepare({ Links }).Links.map(l => byName.get(l.Name ?? '')!)
  return { ...written, order }
}

async function flushBucket (bucket: Bucket<Entry>, ctx: DirectoryContext): Promise<{ cid: CID, size: number, order: Entry[] }> {
  const children = bucket._children
  const padLength = (bucket.tableSize() - 1).toString(16).length
  const Links: dagPb.PBLink[] = []
  const order: Entry[] = []
  for (let i = 0; i < children.length; i++) {
    const child = children.get(i)
    if (child == null) continue
    const label = i.toString(16).toUpperCase().padStart(padLength, '0')
    if (child instanceof Bucket) {
      const shard = await flushBucket(child, ctx)
      Links.push({ Name: label, Hash: shard.cid, Tsize: shard.size })
      order.push(...shard.order)
    } else {
      Links.push({ Name: label + child.key, Hash: child.value.cid, Tsize: child.value.size })
      order.push(child.value)
    }
  }
  const data = new UnixFS({
    type: 'hamt-sharded-directory',
    data: Uint8Array.from(children.bitField().reverse()),
    fanout: BigInt(bucket.tableSize()),
    hashType: HAMT_HASH_TYPE
  })
  const written = await writeNode({ Data: data.marshal(), Links }, ctx)
  return { ...written, order }
}

async function buildSharded (entries: Entry[], ctx: DirectoryContext): Promise<{ cid: CID, size: number, order: Entry[] }> {
  const bucket = createHAMT<Entry>({ hashFn: hamtHash, bits: HAMT_FANOUT_BITS })
  for (const entry of entries) await bucket.put(entry.name, entry)
  return await flushBucket(bucket, ctx)
}

/** boxo's "links" size estimate of a basic directory. */
function estimatedSize (entries: Entry[]): number {
  return entries.reduce((n, e) => n + encoder.encode(e.name).length + e.cid.bytes.length, 0)
}

async function build (path: string, dir: DirNode, ctx: DirectoryContext): Promise<Built> {
  const entries: Entry[] = []
  for (const [name, child] of dir.children) {
    if (child.kind === 'dir') {
      const sub = await build(join(path, name), child, ctx)
      entries.push({ name, cid: sub.cid, size: sub.size, outputs: sub.outputs })
    } else {
      if (child.cid === undefined) throw new AdderError(`internal error: ${join(path, name)} was never imported`)
      entries.push({ name, cid: child.cid, size: child.size, outputs: [] })
    }
  }
  const built = estimatedSize(entries) > HAMT_THRESHOLD_BYTES ? await buildSharded(entries, ctx) : await buildFlat(entries, ctx)
  const outputs = built.order.flatMap(e => e.outputs)
  outputs.push({ name: path, cid: built.cid, bytes: 0, size: built.size })
  return { cid: built.cid, size: built.size, outputs }
}

/** Builds `dir` (named `path` in the outputs) and everything under it; yields the directory outputs in Kubo's order. */
export async function * buildDirectories (path: string, dir: DirNode, ctx: DirectoryContext): AsyncGenerator<AddedNode> {
  const built = await build(path, dir, ctx)
  yield * built.outputs
}
