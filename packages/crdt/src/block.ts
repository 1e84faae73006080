/**
 * The DAG blocks of the Merkle-CRDT: dag-pb nodes, CIDv1 sha2-256, Data = encoded Delta, Links =
 * the writer's heads in CID-byte order with an empty Name and a zero Tsize (go-ds-crdt makeNode).
 */
import * as dagPb from '@ipld/dag-pb'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { decodeDelta, encodeDelta, type Delta } from './delta.ts'

export interface Block {
  cid: CID
  bytes: Uint8Array
}

/** A decoded block: its delta and the CIDs it links (its writer's heads when it was made). */
export interface DeltaNode {
  cid: CID
  delta: Delta
  links: CID[]
}

/** Byte order of CIDs, as go-ds-crdt lists heads. */
export function compareCids (a: CID, b: CID): number {
  return compareBytes(a.bytes, b.bytes)
}

export function compareBytes (a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!
    if (d !== 0) return d
  }
  return a.length - b.length
}

/** Builds the block for `delta` on top of `heads` (sorted here, as Go's heads list is). */
export async function makeBlock (delta: Delta, heads: readonly CID[]): Promise<Block> {
  const links = [...heads].sort(compareCids).map((h) => ({ Hash: toV1DagPb(h), Name: '', Tsize: 0 }))
  const bytes = dagPb.encode({ Data: encodeDelta(delta), Links: links })
  const hash = await sha256.digest(bytes)
  return { cid: CID.createV1(dagPb.code, hash), bytes }
}

/** Decodes a block fetched for `cid`, checking that it is a dag-pb node whose hash matches. */
export async function decodeBlock (cid: CID, bytes: Uint8Array): Promise<DeltaNode> {
  if (cid.code !== dagPb.code) throw new Error(`block ${cid.toString()} is not dag-pb`)
  if (cid.multihash.code !== sha256.code) throw new Error(`block ${cid.toString()} is not sha2-256`)
  const digest = await sha256.digest(bytes)
  if (compareBytes(digest.bytes, cid.multihash.bytes) !== 0) {
    throw new Error(`block ${cid.toString()} does not match its hash`)
  }
  const node = dagPb.decode(bytes)
  return {
    cid,
    delta: decodeDelta(node.Data ?? new Uint8Array(0)),
    links: node.Links.map((l) => toV1DagPb(l.Hash))
  }
}

/**
 * The CIDs a stored block links to, without checking its hash (it is ours): what a peer walks to
 * serve the blocks below a CID. [] for a block that is not dag-pb.
 */
export function blockLinks (cid: CID, bytes: Uint8Array): CID[] {
  return cid.code === dagPb.code ? dagPb.decode(bytes).Links.map((l) => toV1DagPb(l.Hash)) : []
}

/** Go rebuilds every block CID it reads from a link or head as CIDv1 dag-pb. */
export function toV1DagPb (cid: CID): CID {
  return cid.version === 1 && cid.code === dagPb.code ? cid : CID.createV1(dagPb.code, cid.multihash)
}
