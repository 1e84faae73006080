/**
 * libp2p peer IDs, parsed like Go's peer.Decode: strings starting with `Qm` or `1` are base58btc
 * multihashes; anything else must be a CID with codec libp2p-key (0x72). The canonical form,
 * used on the wire and as map keys, is the base58btc multihash.
 */
import { base58btc } from 'multiformats/bases/base58'
import { InvalidPeerIdError } from './errors.ts'
import { parseCid } from './cid.ts'
import { validateMultihash } from './multihash.ts'
import { memoizeParse } from './memo.ts'

declare const peerIdBrand: unique symbol
/** A validated peer ID in canonical base58btc form. Obtain one with `parsePeerId`. */
export type PeerId = string & { readonly [peerIdBrand]: true }

const LIBP2P_KEY = 0x72

// Names of common multicodecs, for Go's "can't convert CID of type ..." message.
const CODEC_NAMES: Record<number, string> = {
  0x51: 'cbor',
  0x55: 'raw',
  0x70: 'dag-pb',
  0x71: 'dag-cbor',
  0x78: 'git-raw',
  0x0129: 'dag-json',
  0x0200: 'json'
}

/** Peer IDs already validated (a cluster has few peers; their IDs appear in every status). */
const parsePeerIdMemo = memoizeParse(parsePeerIdUncached)

/** Parses and validates a peer ID, returning its canonical base58btc form. */
export function parsePeerId (text: string): PeerId {
  return parsePeerIdMemo(text)
}

function parsePeerIdUncached (text: string): PeerId {
  if (text.startsWith('Qm') || text.startsWith('1')) {
    let bytes: Uint8Array
    try {
      bytes = base58btc.baseDecode(text)
    } catch (err) {
      throw new InvalidPeerIdError("failed to parse peer ID: input isn't valid multihash", { cause: err })
    }
    try {
      validateMultihash(bytes)
    } catch (err) {
      throw new InvalidPeerIdError(`failed to parse peer ID: ${(err as Error).message}`, { cause: err })
    }
    // base58 is bijective: the decoded bytes re-encode to the same text.
    return text as PeerId
  }
  let cid
  try {
    cid = parseCid(text)
  } catch (err) {
    throw new InvalidPeerIdError(`failed to parse peer ID: ${(err as Error).message}`, { cause: err })
  }
  if (cid.code !== LIBP2P_KEY) {
    const name = CODEC_NAMES[cid.code] ?? `Code(${cid.code})`
    throw new InvalidPeerIdError(`can't convert CID of type "${name}" to a peer ID`)
  }
  return base58btc.baseEncode(cid.multihash.bytes) as PeerId
}

/** Whether `text` parses as a peer ID. */
export function isPeerId (text: unknown): text is PeerId {
  if (typeof text !== 'string') return false
  try {
    return parsePeerId(text) === text
  } catch {
    return false
  }
}

/**
 * The peer ID bytes (a multihash). Kept by text (every pin value written carries its
 * allocations' IDs: a CRDT import of 100k pins decoded 200k of them): callers must not modify
 * the bytes.
 */
export const peerIdToBytes: (id: PeerId) => Uint8Array = memoizeParse((id: string) => base58btc.baseDecode(id))

/** Parses every entry, silently dropping invalid ones (Go's StringsToPeers). */
export function parsePeerIdsLenient (texts: Iterable<string>): PeerId[] {
  const out: PeerId[] = []
  for (const t of texts) {
    try {
      out.push(parsePeerId(t))
    } catch {
      // Go drops peers that do not decode.
    }
  }
  return out
}
