/**
 * The small part of JWT (RFC 7519) the API needs: HMAC-signed tokens (HS256/384/512), signed and
 * verified with node:crypto, claims checked like golang-jwt v4 (`exp`, `nbf`, `iat`).
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

const HMAC: Record<string, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }

function b64url (data: Buffer | string): string {
  return Buffer.from(data).toString('base64url')
}

/** What Go issues: `{"alg":"HS256","typ":"JWT"}` . `{"iss":"<user>"}`, signed with the password. */
export function signToken (issuer: string, key: string): string {
  const head = b64url('{"alg":"HS256","typ":"JWT"}')
  const body = b64url(JSON.stringify({ iss: issuer }))
  const sig = createHmac('sha256', key).update(`${head}.${body}`).digest()
  return `${head}.${body}.${b64url(sig)}`
}

export interface DecodedToken {
  alg: string
  claims: Record<string, unknown>
  signingInput: string
  signature: Buffer
}

const B64URL = /^[A-Za-z0-9_-]*$/

function parseSegment (s: string): Record<string, unknown> | undefined {
  if (!B64URL.test(s)) return undefined
  try {
    const v: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'))
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : undefined
  } catch {
    return undefined
  }
}

/** Splits and decodes a token without checking the signature; undefined when malformed. */
export function decodeToken (token: string): DecodedToken | undefined {
  const parts = token.split('.')
  if (parts.length !== 3) return undefined
  const [h, p, s] = parts as [string, string, string]
  const header = parseSegment(h)
  const claims = parseSegment(p)
  if (header === undefined || claims === undefined || !B64URL.test(s)) return undefined
  if (typeof header.alg !== 'string') return undefined
  return { alg: header.alg, claims, signingInput: `${h}.${p}`, signature: Buffer.from(s, 'base64url') }
}

/** Signature check with `key`; only HMAC algorithms are accepted. */
export function verifySignature (t: DecodedToken, key: string): boolean {
  const hash = HMAC[t.alg]
  if (hash === undefined) return false
  const expected = createHmac(hash, key).update(t.signingInput).digest()
  return expected.length === t.signature.length && timingSafeEqual(expected, t.signature)
}

/** Standard time claims (seconds since the epoch), each only checked when present. */
export function claimsValid (claims: Record<string, unknown>, nowSeconds: number): boolean {
  const num = (k: string): number | undefined => typeof claims[k] === 'number' ? claims[k] : undefined
  const exp = num('exp')
  const nbf = num('nbf')
  const iat = num('iat')
  for (const k of ['exp', 'nbf', 'iat']) {
    if (claims[k] !== undefined && typeof claims[k] !== 'number') return false
  }
  if (exp !== undefined && nowSeconds >= exp) return false
  if (nbf !== undefined && nowSeconds < nbf) return false
  if (iat !== undefined && nowSeconds < iat) return false
  return true
}
