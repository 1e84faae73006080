/**
 * `identity.json` (config.md §2): the peer ID and the libp2p private key, encoded exactly as Go
 * writes them (`id` base58btc, `private_key` standard base64 of the protobuf-encoded key,
 * 4-space indentation, no trailing newline, mode 0600). New identities are Ed25519; RSA
 * identities (older peers) load too.
 */
import { readFile } from 'node:fs/promises'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import { parsePeerId } from '@cluster/api'
import { IdentityError, messageOf } from './errors.ts'
import type { Env } from './env.ts'
import { isJsonObject } from './json-reader.ts'
import { formatGoJson } from './json-writer.ts'
import { writeTextFile0600 } from './replace-file.ts'

export interface Identity {
  /** Peer ID, canonical base58btc (`12D3KooW…`, `Qm…` for RSA). */
  id: string
  privateKey: PrivateKey
}

/** The JSON form of an identity. */
export interface IdentityJson {
  id: string
  private_key: string
}

const BASE64 = /^[A-Za-z0-9+/]*$/

/** Go's base64.StdEncoding.DecodeString (padding required), with Go's error text. */
export function decodeStdBase64 (text: string): Uint8Array {
  const body = text.replace(/={1,2}$/, '')
  for (let i = 0; i < body.length; i++) {
    if (!BASE64.test(body[i]!)) throw new Error(`illegal base64 data at input byte ${i}`)
  }
  if (text.length % 4 !== 0) throw new Error(`illegal base64 data at input byte ${text.length - (text.length % 4 === 1 ? 1 : 0)}`)
  return Uint8Array.from(Buffer.from(text, 'base64'))
}

/** The peer ID of a private key, canonical base58btc. */
export function peerIdOfKey (key: PrivateKey): string {
  return peerIdFromPrivateKey(key).toString()
}

/** Decodes a `private_key` value (base64 of the protobuf key). */
export function decodePrivateKey (text: string, what = 'private_key'): PrivateKey {
  let bytes: Uint8Array
  try {
    bytes = decodeStdBase64(text)
  } catch (err) {
    throw new IdentityError(`error decoding ${what}: ${messageOf(err)}`, { cause: err })
  }
  try {
    return privateKeyFromProtobuf(bytes)
  } catch (err) {
    throw new IdentityError(`error parsing ${what} ID: ${messageOf(err)}`, { cause: err })
  }
}

/** The `private_key` text of a key: base64 (with padding) of its protobuf encoding. */
export function encodePrivateKey (key: PrivateKey): string {
  return Buffer.from(privateKeyToProtobuf(key)).toString('base64')
}

/** A new Ed25519 identity. */
export async function generateIdentity (): Promise<Identity> {
  const privateKey = await generateKeyPair('Ed25519')
  return { id: peerIdOfKey(privateKey), privateKey }
}

/**
 * Go's `applyIdentityJSON`: decodes the ID (base58 or CID form) and the key, and checks that
 * they belong together. Errors: `error decoding cluster ID: …`, `error decoding private_key: …`,
 * `error parsing private_key ID: …`, `identity ID does not match the private_key`.
 */
export function identityFromJson (json: unknown): Identity {
  if (!isJsonObject(json)) throw new IdentityError('error loading identity: not a JSON object')
  const rawId = json.id ?? ''
  const rawKey = json.private_key ?? ''
  if (typeof rawId !== 'string') throw new IdentityError('error decoding cluster ID: id is not a string')
  if (typeof rawKey !== 'string') throw new IdentityError('error decoding private_key: private_key is not a string')
  let id: string
  try {
    id = parsePeerId(rawId)
  } catch (err) {
    throw new IdentityError(`error decoding cluster ID: ${messageOf(err)}`, { cause: err })
  }
  const privateKey = decodePrivateKey(rawKey)
  if (peerIdOfKey(privateKey) !== id) throw new IdentityError('identity ID does not match the private_key')
  return { id, privateKey }
}

export function identityToJson (identity: Identity): IdentityJson {
  return { id: identity.id, private_key: encodePrivateKey(identity.privateKey) }
}

/** The file content: Go's `json.MarshalIndent(…, "", "    ")`. */
export function formatIdentity (identity: Identity): string {
  return formatGoJson({ ...identityToJson(identity) }, '    ')
}

/** Parses the text of an `identity.json`. */
export function parseIdentity (text: string): Identity {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new IdentityError(`error parsing identity JSON: ${messageOf(err)}`, { cause: err })
  }
  return identityFromJson(json)
}

/** `CLUSTER_ID` and `CLUSTER_PRIVATEKEY` replace the values (then everything is checked again). */
export function applyIdentityEnv (identity: Identity, env: Env): Identity {
  const id = env.CLUSTER_ID
  const key = env.CLUSTER_PRIVATEKEY
  if (id === undefined && key === undefined) return identity
  const json = identityToJson(identity)
  if (id !== undefined) json.id = id
  if (key !== undefined) json.private_key = key
  return identityFromJson(json)
}

export async function readIdentityFile (path: string): Promise<Identity> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new IdentityError(`error loading identity from ${path}: ${messageOf(err)}`, { cause: err })
  }
  try {
    return parseIdentity(text)
  } catch (err) {
    throw new IdentityError(`error loading identity from ${path}: ${messageOf(err)}`, { cause: err })
  }
}

/** Writes `identity.json` with mode 0600. */
export async function writeIdentityFile (path: string, identity: Identity): Promise<void> {
  await writeTextFile0600(path, formatIdentity(identity))
}
