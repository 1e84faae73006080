/**
 * Multiaddresses, validated with @multiformats/multiaddr and kept as canonical strings
 * (`/ipfs/` written as `/p2p/`, peer IDs in base58btc, as Go prints them).
 */
import { multiaddr as parseMa } from '@multiformats/multiaddr'
import type { Component } from '@multiformats/multiaddr'
import { InvalidMultiaddrError } from './errors.ts'
import { memoizeParse } from './memo.ts'
import { parsePeerId } from './peer-id.ts'
import type { PeerId } from './peer-id.ts'

declare const multiaddrBrand: unique symbol
/** A validated multiaddress string in canonical form. Obtain one with `parseMultiaddr`. */
export type Multiaddr = string & { readonly [multiaddrBrand]: true }

const P2P = 421

function components (text: string): Component[] {
  if (text === '' || /^\/*$/.test(text)) throw new InvalidMultiaddrError(`failed to parse multiaddr "${text}": empty multiaddr`)
  if (!text.startsWith('/')) throw new InvalidMultiaddrError(`failed to parse multiaddr "${text}": must begin with /`)
  try {
    return parseMa(text).getComponents()
  } catch (err) {
    throw new InvalidMultiaddrError(`failed to parse multiaddr "${text}": ${(err as Error).message}`, { cause: err })
  }
}

/**
 * Multiaddresses already parsed, by their text. A peer's PinInfo repeats its IPFS daemon's
 * addresses in every status item it sends, and parsing one costs 5–15 µs.
 */
const parseMultiaddrMemo = memoizeParse(parseMultiaddrUncached)

/** Parses and validates a multiaddress, returning its canonical string. */
export function parseMultiaddr (text: string): Multiaddr {
  return parseMultiaddrMemo(text)
}

function parseMultiaddrUncached (text: string): Multiaddr {
  // Go's `unix` is a path protocol: the rest of the address is the socket's path, slashes and all
  // (`/unix/run/cluster/api.sock`); js multiaddr wants it URL-encoded, so it is kept as written.
  if (text.startsWith('/unix/')) {
    if (text.length === '/unix/'.length) throw new InvalidMultiaddrError(`failed to parse multiaddr "${text}": empty unix path`)
    return text as Multiaddr
  }
  const parts = components(text)
  let rewritten = false
  const canonical = parts.map((c) => {
    if (c.code !== P2P || c.value === undefined) return c
    let id: string
    try {
      id = parsePeerId(c.value)
    } catch (err) {
      throw new InvalidMultiaddrError(`failed to parse multiaddr "${text}": ${(err as Error).message}`, { cause: err })
    }
    if (id === c.value) return c
    rewritten = true
    return { code: c.code, name: c.name, value: id }
  })
  try {
    return (rewritten ? parseMa(canonical) : parseMa(text)).toString() as Multiaddr
  } catch (err) {
    throw new InvalidMultiaddrError(`failed to parse multiaddr "${text}": ${(err as Error).message}`, { cause: err })
  }
}

/** The peer ID of the first `/p2p/` component, or undefined when there is none. */
export function multiaddrPeerId (addr: Multiaddr | string): PeerId | undefined {
  for (const c of components(addr)) {
    if (c.code === P2P && c.value !== undefined) return parsePeerId(c.value)
  }
  return undefined
}
