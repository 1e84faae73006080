/**
 * Authentication (rest-api.md §6): Basic credentials or a Bearer JWT signed with the issuer's
 * password. Outcomes are Go's: which WWW-Authenticate headers, which 401 message.
 */
import { timingSafeEqual } from 'node:crypto'
import { claimsValid, decodeToken, verifySignature } from './jwt.ts'

export const REALM = 'Restricted IPFS Cluster API'

export type AuthResult =
  | { ok: true, user: string }
  | { ok: false, message: string, wwwAuthenticate: string[] }

function safeEqual (a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** Go's Request.BasicAuth: `Basic <base64(user:pass)>`, scheme case-insensitive. */
export function parseBasic (header: string): { user: string, password: string } | undefined {
  if (header.length < 6 || header.slice(0, 6).toLowerCase() !== 'basic ') return undefined
  const b64 = header.slice(6)
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) return undefined
  const text = Buffer.from(b64, 'base64').toString('utf8')
  const colon = text.indexOf(':')
  if (colon < 0) return undefined
  return { user: text.slice(0, colon), password: text.slice(colon + 1) }
}

function parseBearer (header: string): string | undefined {
  if (header.length < 7 || header.slice(0, 7).toLowerCase() !== 'bearer ') return undefined
  return header.slice(7)
}

export function checkAuth (creds: Record<string, string>, header: string | undefined, nowSeconds: number): AuthResult {
  const basic = header === undefined ? undefined : parseBasic(header)
  if (basic !== undefined) {
    const expected = Object.hasOwn(creds, basic.user) ? creds[basic.user] : undefined
    if (basic.user !== '' && basic.password !== '' && expected !== undefined && safeEqual(expected, basic.password)) {
      return { ok: true, user: basic.user }
    }
    return { ok: false, message: 'unauthorized: access denied', wwwAuthenticate: [`Basic realm="${REALM}"`] }
  }
  const token = header === undefined ? undefined : parseBearer(header)
  if (token !== undefined) {
    const t = decodeToken(token)
    const iss = t?.claims.iss
    const key = typeof iss === 'string' && Object.hasOwn(creds, iss) ? creds[iss] : undefined
    if (t !== undefined && typeof iss === 'string' && iss !== '' && key !== undefined && key !== '' &&
      verifySignature(t, key) && claimsValid(t.claims, nowSeconds)) {
      return { ok: true, user: iss }
    }
    return {
      ok: false,
      message: 'unauthorized: invalid token',
      wwwAuthenticate: [`Bearer realm="${REALM}", error="invalid_token"`]
    }
  }
  return {
    ok: false,
    message: 'unauthorized: no auth provided',
    wwwAuthenticate: [`Bearer realm="${REALM}"`, `Basic realm="${REALM}"`]
  }
}
