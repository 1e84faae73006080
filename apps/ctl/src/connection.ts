/**
 * From the global options to REST clients: the `--host` list (fail-over targets, DNS names
 * resolved up front unless HTTPS), TLS, Basic credentials, the per-request timeout; and the
 * Go-style text of transport failures (`Get "http://…/id": dial tcp …: connect: connection refused`).
 */
import { parseMultiaddr } from '@cluster/api'
import type { ErrorBody } from '@cluster/api'
import { RestClient, RestClientError, RestTransportError, urlFromMultiaddr } from '@cluster/rest-client'
import { LocalCommandError } from './errors.ts'

export interface ConnectionOptions {
  hosts: string
  https: boolean
  noCheckCertificate: boolean
  /** Seconds; 0 = none. */
  timeout: number
  username?: string
  password?: string
}

/** One place to send requests to. */
export interface Target {
  /** `http://127.0.0.1:9094` (what Go shows in transport errors). */
  baseUrl: string
  client: RestClient
  options: ConnectionOptions
}

/** Go's `encoding/hex` DecodeString errors (the secret is only checked, never used over HTTP). */
export function checkHexSecret (secret: string): void {
  const isHex = (c: string): boolean => /^[0-9a-fA-F]$/.test(c)
  const invalid = (c: string): LocalCommandError => {
    const cp = c.codePointAt(0)!
    const hex = cp.toString(16).toUpperCase().padStart(4, '0')
    const printable = cp >= 0x20 && cp !== 0x7f
    return new LocalCommandError('parsing secret', `encoding/hex: invalid byte: U+${hex}${printable ? ` '${c}'` : ''}`)
  }
  const bytes = Buffer.from(secret, 'utf8')
  let j = 1
  for (; j < bytes.length; j += 2) {
    for (const b of [bytes[j - 1]!, bytes[j]!]) {
      const c = String.fromCharCode(b)
      if (!isHex(c)) throw invalid(b < 0x80 ? c : '\ufffd')
    }
  }
  if (bytes.length % 2 === 1) {
    const c = String.fromCharCode(bytes[j - 1]!)
    if (!isHex(c)) throw invalid(c)
    throw new LocalCommandError('parsing secret', 'encoding/hex: odd length hex string')
  }
}

async function expand (addr: string, https: boolean): Promise<string[]> {
  const parts = addr.split('/')
  const proto = parts[1]
  if (proto === 'p2p' || proto === 'dnsaddr' || addr.includes('/p2p/')) {
    throw new LocalCommandError('creating configs', 'libp2p API endpoints (/p2p/, /dnsaddr/) are not supported by this client; use the HTTP endpoint')
  }
  if ((proto === 'dns' || proto === 'dns4' || proto === 'dns6') && !https) {
    const family = proto === 'dns4' ? 4 : proto === 'dns6' ? 6 : 0
    let found: Array<{ address: string, family: number }>
    try {
      found = await process.getBuiltinModule('node:dns/promises').lookup(parts[2] ?? '', { all: true, family })
    } catch (err) {
      throw new LocalCommandError('creating configs', (err as Error).message, 1, { cause: err })
    }
    return found.map((a) => `/${a.family === 6 ? 'ip6' : 'ip4'}/${a.address}/${parts.slice(3).join('/')}`)
  }
  return [addr]
}

/** Builds one RestClient per target (validation errors as Go reports them). */
export async function connect (opts: ConnectionOptions): Promise<Target[]> {
  const addrs: string[] = []
  for (const text of opts.hosts.split(',')) {
    try {
      addrs.push(parseMultiaddr(text))
    } catch (err) {
      throw new LocalCommandError('parsing host multiaddress', (err as Error).message, 1, { cause: err })
    }
  }
  const targets: Target[] = []
  for (const addr of addrs) {
    for (const a of await expand(addr, opts.https)) {
      let baseUrl: string
      try {
        baseUrl = urlFromMultiaddr(a, opts.https)
      } catch (err) {
        throw new LocalCommandError('creating configs', (err as Error).message, 1, { cause: err })
      }
      const client = new RestClient({
        url: baseUrl,
        ...(opts.username !== undefined ? { username: opts.username, password: opts.password ?? '' } : {}),
        ...(opts.timeout > 0 ? { timeoutMs: opts.timeout * 1000 } : {}),
        ...(opts.https ? { tls: { rejectUnauthorized: !opts.noCheckCertificate } } : {}),
        headers: { 'User-Agent': 'Go-http-client/1.1' }
      })
      targets.push({ baseUrl: baseUrl.startsWith('http+unix:') ? 'http+unix://restapi' : baseUrl, client, options: opts })
    }
  }
  return targets
}

const OP_NAMES: Record<string, string> = { GET: 'Get', POST: 'Post', DELETE: 'Delete', PUT: 'Put' }

/** The Go net/http wording of a low-level failure. */
function goNetMessage (cause: unknown, hostPort: string, https: boolean): string {
  const e = cause as NodeJS.ErrnoException & { code?: string }
  const code = e?.code ?? ''
  const msg = e?.message ?? String(cause)
  switch (code) {
    case 'ECONNREFUSED': return `dial tcp ${hostPort}: connect: connection refused`
    case 'ECONNRESET': return https ? 'read: connection reset by peer' : 'EOF'
    case 'ENOTFOUND': return `dial tcp: lookup ${hostPort.replace(/:\d+$/, '')}: no such host`
    case 'ETIMEDOUT': return `dial tcp ${hostPort}: i/o timeout`
    case 'ENOENT': return `dial unix: connect: no such file or directory`
    case 'EPROTO': case 'ERR_SSL_WRONG_VERSION_NUMBER': return 'http: server gave HTTP response to HTTPS client'
    case 'DEPTH_ZERO_SELF_SIGNED_CERT': case 'SELF_SIGNED_CERT_IN_CHAIN': case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'tls: failed to verify certificate: x509: certificate signed by unknown authority'
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `tls: failed to verify certificate: x509: certificate is valid for other names, not ${hostPort.replace(/:\d+$/, '')}`
    default:
      if (/timeout after \d+ ms/.test(msg)) return 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
      if (/wrong version number|packet length too long/i.test(msg)) return 'http: server gave HTTP response to HTTPS client'
      return msg
  }
}

/** The `{code, message}` the Go ctl prints for a failed call. */
export function errorBodyOf (err: unknown, target: Target): ErrorBody {
  if (err instanceof RestTransportError) {
    const m = /^([A-Z]+) (\S+): /.exec(err.message)
    const method = m?.[1] ?? 'GET'
    const path = m?.[2] ?? '/'
    const url = new URL(target.baseUrl)
    const hostPort = url.host.replace(/^\[(.*)\](:\d+)$/, '[$1]$2')
    const inner = goNetMessage(err.cause ?? err, hostPort, target.options.https)
    return { code: 0, message: `${OP_NAMES[method] ?? method} "${target.baseUrl}${path}": ${inner}` }
  }
  if (err instanceof RestClientError) return err.body
  return { code: 0, message: (err as Error).message }
}

export function isTransportError (err: unknown): boolean {
  return err instanceof RestTransportError
}
