/**
 * `format=car` adds: one single-root CAR file whose blocks are verified and handed to the sink
 * as they are read; one output (Go's carAdder): name, root, total block bytes, UnixFS size.
 */
import { CarBlockIterator } from '@ipld/car'
import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import { equals } from 'multiformats/bytes'
import type { CID } from 'multiformats/cid'
import type { BlockWriter } from './block-writer.ts'
import type { EntrySource } from './entries.ts'
import { AdderError, CarImportError, InvalidUploadError } from './errors.ts'
import { hasherByCode } from './hashers.ts'
import type { AddedNode } from './types.ts'

function carError (err: unknown): Error {
  if (err instanceof AdderError) return err
  const message = err instanceof Error ? err.message : String(err)
  return new CarImportError(`invalid CAR file: ${message}`, { cause: err })
}

async function verify (cid: CID, bytes: Uint8Array): Promise<void> {
  const hasher = hasherByCode(cid.multihash.code)
  if (hasher === undefined) {
    throw new CarImportError(`block ${cid.toString()} uses an unsupported hash function (0x${cid.multihash.code.toString(16)})`)
  }
  const digest = await hasher.digest(bytes)
  if (!equals(digest.digest, cid.multihash.digest)) {
    throw new CarImportError(`block ${cid.toString()} does not match its CID`)
  }
}

/** The UnixFS file size of a dag-pb UnixFS node (Go: unixfs.ExtractFSNode(nd).FileSize()), else 0. */
function unixfsSize (cid: CID, bytes: Uint8Array): number {
  if (cid.code !== dagPb.code) return 0
  try {
    const node = dagPb.decode(bytes)
    if (node.Data === undefined) return 0
    const fs = UnixFS.unmarshal(node.Data)
    return fs.isDirectory() ? 0 : Number(fs.fileSize())
  } catch {
    return 0
  }
}

export async function * addCar (source: EntrySource, writer: BlockWriter): AsyncGenerator<AddedNode> {
  const entry = await source.next()
  if (entry === undefined) throw new InvalidUploadError('the upload contains no files')
  if (entry.kind !== 'file') throw new CarImportError('expected CAR file is not of type file')
  let blocks: CarBlockIterator
  try {
    blocks = await CarBlockIterator.fromIterable(entry.content)
  } catch (err) {
    throw carError(err)
  }
  const roots = await blocks.getRoots()
  if (roots.length !== 1) throw new CarImportError('only CAR files with a single root are supported')
  const root = roots[0]!
  let bytes = 0
  let size = 0
  const iterator = blocks[Symbol.asyncIterator]()
  for (;;) {
    let next: IteratorResult<{ cid: CID, bytes: Uint8Array }>
    try {
      next = await iterator.next()
    } catch (err) {
      throw carError(err)
    }
    if (next.done === true) break
    const block = next.value
    await verify(block.cid, block.bytes)
    bytes += block.bytes.length
    if (block.cid.equals(root)) size = unixfsSize(block.cid, block.bytes)
    await writer.putVerbatim(block.cid, block.bytes)
  }
  if (await source.next() !== undefined) throw new CarImportError('only a single CAR file can be added')
  yield { name: entry.path, cid: root, bytes, size }
}
