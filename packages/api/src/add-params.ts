/**
 * `POST /add` parameters (rest-api.md §4.15): decoded like Go's AddParamsFromQuery — the pin
 * options of §2.1 plus the adder's own options, with Go's defaults, quirks and 400 texts.
 */
import { AddRequestError } from './errors.ts'
import { decodePinOptionsQuery, pinOptionsQueryEntries } from './pin-options-query.ts'
import { encodeGoQuery } from './query-escape.ts'
import type { PinOptionsQueryContext } from './pin-options-query.ts'
import type { PinOptions } from './types/pin.ts'

export type AddLayout = 'balanced' | 'trickle'
export type AddFormat = 'unixfs' | 'car'

export interface AddParams {
  /** Pin options of the root; `mode` is always recursive and `pinUpdate` unset. */
  pinOptions: PinOptions
  /** Send blocks only to this peer's IPFS. */
  local: boolean
  /** Client-side options, carried for completeness (the server ignores them). */
  recursive: boolean
  hidden: boolean
  /** Wrap every top-level entry in one directory (the root). */
  wrap: boolean
  /** Sharded add (experimental in Go). */
  shard: boolean
  /** false: buffer the outputs and answer one JSON array. */
  streamChannels: boolean
  format: AddFormat
  layout: AddLayout
  /** `size-<n>`, `rabin-<min>-<avg>-<max>`…, as `ipfs add --chunker`. */
  chunker: string
  /** Multihash function name, lower-cased (`sha2-256`). */
  hashFunction: string
  cidVersion: number
  rawLeaves: boolean
  /** Emit progress entries (`name` + `bytes`, no CID). */
  progress: boolean
  noCopy: boolean
  /** Put the blocks but do not pin the root. */
  noPin: boolean
  /**
   * Name the outputs of a nameless file (stdin, bare bytes) after its CID, as Kubo's `add` does;
   * Go's cluster leaves them `''`. Not a query parameter: the IPFS proxy sets it.
   */
  namelessAsCid?: boolean
}

/** Go's strconv.ParseBool; undefined when the text is not a boolean. */
export function parseGoBool (text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false
  return undefined
}

function boolParam (query: URLSearchParams, name: string, fallback: boolean): boolean {
  const text = query.get(name) ?? ''
  if (text === '') return fallback
  const v = parseGoBool(text)
  if (v === undefined) throw new AddRequestError(`parameter ${name} invalid`)
  return v
}

/** Go's strconv.Atoi within the int range the adder accepts. */
function intParam (query: URLSearchParams, name: string, fallback: number): number {
  const text = query.get(name) ?? ''
  if (text === '') return fallback
  if (!/^[+-]?\d{1,18}$/.test(text)) throw new AddRequestError(`parameter ${name} invalid`)
  return Number(text)
}

/**
 * Reads `/add` parameters. Throws AddRequestError or PinOptionsError (HTTP 400) with Go's message:
 * `layout parameter is invalid`, `format parameter is invalid`, `parameter <name> invalid`, or
 * a pin-option error.
 */
export function decodeAddParams (query: URLSearchParams, ctx: PinOptionsQueryContext = {}): AddParams {
  const pinOptions = decodePinOptionsQuery(query, ctx)
  pinOptions.mode = 'recursive'
  pinOptions.pinUpdate = undefined

  const layout = query.get('layout') ?? ''
  if (layout !== '' && layout !== 'balanced' && layout !== 'trickle') throw new AddRequestError('layout parameter is invalid')
  const format = query.get('format') ?? ''
  if (format !== '' && format !== 'unixfs' && format !== 'car') throw new AddRequestError('format parameter is invalid')
  const chunker = query.get('chunker') ?? ''
  const hash = query.get('hash') ?? ''

  const params: AddParams = {
    pinOptions,
    local: boolParam(query, 'local', false),
    recursive: boolParam(query, 'recursive', false),
    hidden: boolParam(query, 'hidden', false),
    wrap: boolParam(query, 'wrap-with-directory', false),
    shard: boolParam(query, 'shard', false),
    progress: boolParam(query, 'progress', false),
    cidVersion: intParam(query, 'cid-version', 0),
    rawLeaves: false,
    streamChannels: true,
    noCopy: false,
    noPin: false,
    format: format === 'car' ? 'car' : 'unixfs',
    layout: layout === 'trickle' ? 'trickle' : 'balanced',
    chunker: chunker !== '' ? chunker : 'size-262144',
    hashFunction: (hash !== '' ? hash : 'sha2-256').toLowerCase()
  }
  // As go-ipfs: CIDv1 turns raw leaves on unless raw-leaves says otherwise.
  params.rawLeaves = boolParam(query, 'raw-leaves', params.cidVersion > 0)
  params.streamChannels = boolParam(query, 'stream-channels', true)
  params.noCopy = boolParam(query, 'nocopy', false)
  params.noPin = boolParam(query, 'no-pin', false)
  return params
}

/** The query string Go's client sends for these parameters (AddParams.ToQuery, keys sorted). */
export function encodeAddParamsQuery (p: AddParams): string {
  const q = pinOptionsQueryEntries(p.pinOptions)
  const set = (k: string, v: string | boolean | number): void => { q.set(k, String(v)) }
  set('shard', p.shard)
  set('local', p.local)
  set('recursive', p.recursive)
  set('layout', p.layout)
  set('chunker', p.chunker)
  set('raw-leaves', p.rawLeaves)
  set('hidden', p.hidden)
  set('wrap-with-directory', p.wrap)
  set('progress', p.progress)
  set('cid-version', p.cidVersion)
  set('hash', p.hashFunction)
  set('stream-channels', p.streamChannels)
  set('nocopy', p.noCopy)
  set('format', p.format)
  set('no-pin', p.noPin)
  return encodeGoQuery(q)
}
