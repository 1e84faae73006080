/**
 * Validation of AddParams against what this adder can do, and their translation into the
 * DAG-building settings (Kubo's defaults: balanced layout with 174 links, 256 KiB chunks).
 */
import type { AddParams } from '@cluster/api'
import { parseChunker } from './chunker.ts'
import type { ChunkerSpec } from './chunker.ts'
import { UnsupportedAddOptionError } from './errors.ts'
import { hasherByName } from './hashers.ts'
import type { MultihashHasher } from 'multiformats/hashes/interface'

/** Kubo's `Import.UnixFSFileMaxLinks` default (boxo helpers.DefaultLinksPerBlock). */
export const MAX_LINKS_PER_BLOCK = 174
/** Kubo's `Import.UnixFSHAMTDirectorySizeThreshold` default (a directory shards when its estimate is above it). */
export const HAMT_THRESHOLD_BYTES = 262_144

export interface DagSettings {
  chunker: ChunkerSpec
  layout: 'balanced' | 'trickle'
  cidVersion: 0 | 1
  rawLeaves: boolean
  /** The multihash function; `rehash` is true when it is not sha2-256. */
  hasher: MultihashHasher<number>
  rehash: boolean
  wrap: boolean
  progress: boolean
  namelessAsCid: boolean
}

/**
 * Throws UnsupportedAddOptionError for options this adder cannot honour (shard, nocopy, an
 * unknown chunker or hash function, an unknown CID version, CIDv0 with a hash other than
 * sha2-256), so callers can answer 400 before any work.
 */
export function checkAddParams (params: AddParams): void {
  resolveAddParams(params)
}

export function resolveAddParams (params: AddParams): DagSettings {
  if (params.shard) throw new UnsupportedAddOptionError('sharded adds (shard=true) are not supported by this cluster peer')
  if (params.noCopy) throw new UnsupportedAddOptionError('nocopy adds (filestore/urlstore) are not supported by this cluster peer')
  const chunker = parseChunker(params.chunker)
  const hasher = hasherByName(params.hashFunction)
  if (hasher === undefined) throw new UnsupportedAddOptionError(`unrecognized hash function: ${params.hashFunction}`)
  const { cidVersion } = params
  if (cidVersion !== 0 && cidVersion !== 1) throw new UnsupportedAddOptionError(`unknown CID version: ${cidVersion}`)
  const rehash = hasher.name !== 'sha2-256'
  if (rehash && cidVersion === 0) throw new UnsupportedAddOptionError('CIDv0 only supports sha2-256')
  return {
    chunker,
    layout: params.layout === 'trickle' ? 'trickle' : 'balanced',
    cidVersion,
    rawLeaves: params.rawLeaves,
    hasher,
    rehash,
    wrap: params.wrap,
    progress: params.progress,
    namelessAsCid: params.namelessAsCid === true
  }
}
