import { InvalidPskError } from './errors.ts'

export const KEY_LENGTH = 32
const HEADER = '/key/swarm/psk/1.0.0/'

export interface DecodedPsk {
  /** The 32-byte key. */
  psk: Uint8Array
  /** The first line of the swarm.key text. */
  tag: string
}

/**
 * Decodes swarm.key text: `/key/swarm/psk/1.0.0/`, then `/base16/`, `/base64/` or `/bin/`, then the
 * 32-byte key in that encoding. These are the encodings go-libp2p reads; @libp2p/pnet reads base16
 * only and ignores the header line, which we check so that a wrong file fails at start-up.
 */
export function decodeV1Psk (text: Uint8Array): DecodedPsk {
  const firstEnd = lineEnd(text, 0)
  const tag = ascii(text.subarray(0, firstEnd)).trimEnd()
  if (tag !== HEADER) throw new InvalidPskError(`swarm key must start with ${HEADER}`)
  const secondStart = nextLine(text, firstEnd)
  const secondEnd = lineEnd(text, secondStart)
  const encoding = ascii(text.subarray(secondStart, secondEnd)).trimEnd()
  const rest = text.subarray(nextLine(text, secondEnd))
  let psk: Uint8Array
  switch (encoding) {
    case '/base16/': psk = fromHex(firstLine(rest)); break
    case '/base64/': psk = fromBase64(firstLine(rest)); break
    case '/bin/': psk = new Uint8Array(rest.subarray(0, KEY_LENGTH)); break
    default: throw new InvalidPskError(`unknown swarm key encoding: ${encoding}`)
  }
  if (psk.byteLength !== KEY_LENGTH) throw new InvalidPskError(`swarm key must hold ${KEY_LENGTH} bytes`)
  return { psk, tag }
}

function lineEnd (bytes: Uint8Array, from: number): number {
  const i = bytes.indexOf(0x0a, from)
  return i === -1 ? bytes.byteLength : i
}

function nextLine (bytes: Uint8Array, end: number): number {
  return Math.min(end + 1, bytes.byteLength)
}

function ascii (bytes: Uint8Array): string {
  return new TextDecoder('latin1').decode(bytes)
}

function firstLine (bytes: Uint8Array): string {
  return ascii(bytes.subarray(0, lineEnd(bytes, 0))).trim()
}

function fromHex (text: string): Uint8Array {
  if (!/^[0-9a-fA-F]*$/.test(text) || text.length % 2 !== 0) throw new InvalidPskError('swarm key is not valid base16')
  return Uint8Array.from(text.match(/../g) ?? [], h => parseInt(h, 16))
}

function fromBase64 (text: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new InvalidPskError('swarm key is not valid base64')
  return new Uint8Array(Buffer.from(text, 'base64'))
}
