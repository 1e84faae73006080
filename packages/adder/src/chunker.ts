/**
 * `--chunker` strings as Kubo parses them (boxo chunker.FromString): `size-<n>` is the
 * importer's fixedSize chunker, rabin forms use our port of Kubo's rabin chunker (the
 * importer's own rabin cuts elsewhere). Errors carry boxo's texts.
 */
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import type { Chunker } from 'ipfs-unixfs-importer/chunker'
import { UnsupportedAddOptionError } from './errors.ts'
import { kuboRabin } from './rabin.ts'

/** boxo's ChunkSizeLimit (the Go cluster's limit too). */
export const CHUNK_SIZE_LIMIT = 1_048_576
export const DEFAULT_CHUNK_SIZE = 262_144

export type ChunkerSpec =
  | { kind: 'size', size: number }
  | { kind: 'rabin', min: number, avg: number, max: number }

/** Go's strconv.Atoi for the sizes in a chunker string (no NaN, no fractions). */
function atoi (text: string | undefined): number {
  if (text === undefined || !/^[+-]?\d{1,15}$/.test(text)) {
    throw new UnsupportedAddOptionError(`strconv.Atoi: parsing ${JSON.stringify(text ?? '')}: invalid syntax`)
  }
  return Number(text)
}

function labelled (part: string | undefined, label: string, position: string): number {
  const sub = (part ?? '').split(':')
  if (sub.length > 1 && sub[0] !== label) throw new UnsupportedAddOptionError(`${position} label must be ${label}`)
  return atoi(sub[sub.length - 1])
}

function parseRabin (text: string): ChunkerSpec {
  const parts = text.split('-')
  switch (parts.length) {
    case 1:
      return rabinAround(DEFAULT_CHUNK_SIZE)
    case 2: {
      const avg = atoi(parts[1])
      if (Math.trunc(avg * 1.5) > CHUNK_SIZE_LIMIT) throw sizeMax()
      return rabinAround(avg)
    }
    case 4: {
      const min = labelled(parts[1], 'min', 'first')
      if (min < 16) throw new UnsupportedAddOptionError('rabin min must be greater than 16')
      const avg = labelled(parts[2], 'avg', 'second')
      const max = labelled(parts[3], 'max', 'third')
      if (min >= avg) throw new UnsupportedAddOptionError('incorrect format: rabin-min must be smaller than rabin-avg')
      if (avg >= max) throw new UnsupportedAddOptionError('incorrect format: rabin-avg must be smaller than rabin-max')
      if (max > CHUNK_SIZE_LIMIT) throw sizeMax()
      return { kind: 'rabin', min, avg, max }
    }
    default:
      throw new UnsupportedAddOptionError("incorrect format (expected 'rabin' 'rabin-[avg]' or 'rabin-[min]-[avg]-[max]'")
  }
}

/** Go's NewRabin: min = avg/3, max = avg + avg/2 (integer division). */
function rabinAround (avg: number): ChunkerSpec {
  const min = Math.floor(avg / 3)
  if (min < 16) throw new UnsupportedAddOptionError('rabin min must be greater than 16')
  return { kind: 'rabin', min, avg, max: avg + Math.floor(avg / 2) }
}

function sizeMax (): UnsupportedAddOptionError {
  return new UnsupportedAddOptionError(`chunker parameters may not exceed the maximum chunk size of ${CHUNK_SIZE_LIMIT}`)
}

/** Parses a chunker string; throws UnsupportedAddOptionError (Go's text) when Kubo would refuse it or we cannot honour it. */
export function parseChunker (text: string): ChunkerSpec {
  if (text === '' || text === 'default') return { kind: 'size', size: DEFAULT_CHUNK_SIZE }
  if (text.startsWith('size-')) {
    const size = atoi(text.split('-')[1])
    if (size <= 0) throw new UnsupportedAddOptionError('chunker size must be greater than 0')
    if (size > CHUNK_SIZE_LIMIT) throw sizeMax()
    return { kind: 'size', size }
  }
  if (text.startsWith('rabin')) return parseRabin(text)
  if (text.startsWith('buzhash')) throw new UnsupportedAddOptionError('chunker buzhash is not supported by this cluster peer')
  throw new UnsupportedAddOptionError(`unrecognized chunker option: ${text}`)
}

/** The importer chunker for a parsed spec. */
export function createChunker (spec: ChunkerSpec): Chunker {
  if (spec.kind === 'size') return fixedSize({ chunkSize: spec.size })
  return kuboRabin(spec.min, spec.avg, spec.max)
}
