// The malformed requests of the malformed-input scenario, drawn from a seeded generator (the same
// seed gives the same requests): bad paths, query strings, CIDs, JSON and multipart bodies, and
// broken chunked framing, against the REST API, the IPFS proxy and the Pinning Service API.
// None of them can change the pinset: every CID a write carries is invalid.
import type { RawRequest } from './malformed-wire.ts'

export type Api = 'rest' | 'proxy' | 'pinsvc'
export interface Ports { rest: number, proxy: number, pinsvc: number }
export interface Case { api: Api, kind: string, req: RawRequest }

export const C1 = 'bafybeiffd3lbj7yhtdcstalnjfhpmgg37obes2zrgejyo5mfgni2s4yipa'
export const Q1 = 'QmSZNMb8uztNA4S2yzEKQtSoEc1VPAxog91JAjR9Ye1deS'

/** Deterministic PRNG (mulberry32). */
export function rng (seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Rand = () => number
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T
const int = (r: Rand, n: number): number => Math.floor(r() * n)

/** A CID-looking string that never parses: a character outside its alphabet, or cut short. */
export function badCid (r: Rand): string {
  const base = r() < 0.5 ? C1 : Q1
  switch (int(r, 6)) {
    case 0: { const at = 2 + int(r, base.length - 2); return base.slice(0, at) + '0' + base.slice(at + 1) }
    case 1: return base.slice(0, 2 + int(r, base.length - 4))
    case 2: return base + pick(r, ['0', 'O', 'Il', '!!'])
    case 3: return pick(r, ['bafy', 'Qm', 'z', 'f01', 'B' + C1.slice(1).toUpperCase() + '0', 'bafkqaa0', '%00', '..', '12D3KooW'])
    case 4: return encodeURIComponent(pick(r, ['café', '\u0000', '💥', '/ipfs/', ' ', '"']) + base.slice(0, 10))
    default: return Array.from({ length: 1 + int(r, 60) }, () => pick(r, [...'abcdefghijklmnopqrstuvwxyz0189-_~.'])).join('')
  }
}

/** Path segments and query values a client should never send. */
function garbage (r: Rand): string {
  return pick(r, [
    badCid(r), '%zz', '%', '%2', '%2F%2F', '..%2f..%2f', '%00', '%ff%fe', 'caf%C3%A9', 'a'.repeat(1 + int(r, 3000)),
    '~!$&\'()*+,;=@', '%E2%80%AE', '\\', '%5C%5C', '?', '#', '%0d%0aX-Injected:%201', '-1', '1e309', 'NaN', '[]', '{}',
    String(2 ** 64), 'true', ''
  ])
}

function head (method: string, target: string, extra: string[] = []): string {
  return [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', ...extra, 'Connection: close', '', ''].join('\r\n')
}

function withBody (method: string, target: string, body: string | Buffer, contentType = 'application/json', extra: string[] = []): Omit<RawRequest, 'port'> {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body)
  return { head: head(method, target, [`Content-Type: ${contentType}`, `Content-Length: ${bytes.length}`, ...extra]), body: bytes }
}

const BAD_JSON = [
  '', '{', '}', '[', '[1,2', '{"peer_id":', '{"peer_id":123}', '{"peer_id":null}', '{"peer_id":"12D3KooW"}', 'null', '"text"',
  '{"cid":""}', '{"cid":123}', `{"cid":"${C1.slice(0, 20)}"}`, `{"cid":"${C1}0"}`, '{"cid":{"/":"x"}}', '{"name":"x"}',
  `{"cid":"${Q1}x","name":"${'n'.repeat(300)}"}`, '{"cid":"Qm0","meta":{"a":1}}', '{"cid":"Qm0","origins":"x"}', '\u0000\u0001',
  '{"a":"\\ud800"}', `${'['.repeat(5000)}${']'.repeat(5000)}`, `{"cid":"Qm0",${'"k":1,'.repeat(2000)}"z":0}`, '{"cid":"Qm0"}{"cid":"Qm0"}'
]

/** Multipart uploads that are wrong: no boundary, wrong boundary, truncated, garbage part headers. */
function badMultipart (r: Rand, target: string): Omit<RawRequest, 'port'> {
  const b = 'b0undary'
  const part = `--${b}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: application/octet-stream\r\n\r\nhello`
  switch (int(r, 7)) {
    case 0: return withBody('POST', target, part, 'text/plain')
    case 1: return withBody('POST', target, part, 'multipart/form-data')
    case 2: return withBody('POST', target, part, `multipart/form-data; boundary=${b}`) // never closed
    case 3: return withBody('POST', target, `--other\r\n\r\nx\r\n--other--\r\n`, `multipart/form-data; boundary=${b}`)
    case 4: return withBody('POST', target, `--${b}\r\n${'X-Long: ' + 'a'.repeat(20_000)}\r\n\r\nx`, `multipart/form-data; boundary=${b}`) // never closed
    case 5: return withBody('POST', target, `--${b}\r\nContent-Type: multipart/mixed; boundary=inner\r\nContent-Disposition: form-data; name="d"; filename="d"\r\n\r\n--inner\r\n\r\n`, `multipart/form-data; boundary=${b}`)
    default: return withBody('POST', target, `--${b}\r\nContent-Disposition: form-data; name="file"; filename="../../etc/passwd"\r\n\r\n${'x'.repeat(int(r, 100))}\r\n--${b}`, `multipart/form-data; boundary="${'b'.repeat(75)}"`)
  }
}

/** Chunked bodies whose framing is wrong (bad sizes, lies, both length headers, no end). */
function badChunked (r: Rand, method: string, target: string): Omit<RawRequest, 'port'> {
  const te = ['Transfer-Encoding: chunked', 'Content-Type: application/json']
  const cases: Array<Omit<RawRequest, 'port'>> = [
    { head: head(method, target, te), body: Buffer.from('zz\r\nhello\r\n0\r\n\r\n') },
    { head: head(method, target, te), body: Buffer.from('ffffffffffffffffff\r\nx\r\n'), endAfter: true },
    { head: head(method, target, te), body: Buffer.from('-1\r\nx\r\n0\r\n\r\n') },
    { head: head(method, target, te), body: Buffer.from('10\r\nshort\r\n0\r\n\r\n'), endAfter: true },
    { head: head(method, target, te), body: Buffer.from('5\r\nhelloXX0\r\n\r\n') },
    { head: head(method, target, te), body: Buffer.from('5;ext="\u0001"\r\nhello\r\n0\r\n\r\n') },
    { head: head(method, target, te), body: Buffer.from('5\r\nhello\r\n0\r\nX-Trailer: \u0000\r\n\r\n') },
    { head: head(method, target, [...te, 'Content-Length: 5']), body: Buffer.from('5\r\nhello\r\n0\r\n\r\n') },
    { head: head(method, target, ['Transfer-Encoding: gzip, chunked', 'Content-Type: application/json']), body: Buffer.from('0\r\n\r\n') },
    { head: head(method, target, ['Transfer-Encoding: chunked, identity']), body: Buffer.from('0\r\n\r\n') },
    { head: head(method, target, te), body: Buffer.from('4\r\n{"a"\r\n'), endAfter: true },
    { head: head(method, target, ['Content-Length: 100', 'Content-Length: 5']), body: Buffer.from('hello') },
    { head: head(method, target, ['Content-Length: -5']), body: Buffer.from('hello') },
    { head: head(method, target, ['Content-Length: 99999999999999999999']), body: Buffer.from('hello'), endAfter: true }
  ]
  return pick(r, cases)
}

// `/pins/ipns/<name>` is asked of IPFS when the name is well formed (a domain): only malformed
// names are sent (an unresolvable well-formed one is IPFS's failure, passed on as in Go).
const BAD_IPNS = ['a..b', '-x-', '%00', 'a%20b', '%zz', 'caf%C3%A9', '.', '_-', 'a'.repeat(70)]
const REST_PATHS = ['/pins', '/pins/ipfs', '/pins/ipns/' + BAD_IPNS[0], '/pins/ipld', '/allocations', '/peers', '/monitor/metrics', '/pins/recover', '/ipfs', '/health', '/id', '/add', '/token']

function restCase (r: Rand, kind: string): Omit<RawRequest, 'port'> {
  switch (kind) {
    case 'path': return {
      head: head(pick(r, ['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD', 'BREW']), r() < 0.1
        ? `/pins/ipns/${pick(r, BAD_IPNS)}/${garbage(r)}`
        : `${pick(r, REST_PATHS)}/${garbage(r)}${r() < 0.3 ? '/' + garbage(r) : ''}`)
    }
    case 'query': return {
      head: head(pick(r, ['GET', 'GET', 'POST', 'DELETE']), pick(r, [
        `/pins?local=${garbage(r)}&filter=${garbage(r)}&cids=${badCid(r)},${badCid(r)}`,
        `/pins?filter=${pick(r, ['pinnedd', 'pinned,,', 'all,x', '%00'])}`,
        `/allocations?filter=${garbage(r)}`,
        `/pins/${badCid(r)}?replication=${garbage(r)}&expire-in=${pick(r, ['-1h', '1x', '0.5s', '999999999h'])}`,
        `/pins/ipfs/${badCid(r)}?replication-min=x&replication-max=y&shard-size=-1&user-allocations=${garbage(r)}`,
        `/add?chunker=${garbage(r)}&hash=${garbage(r)}&cid-version=9&raw-leaves=maybe`,
        `/pins?${Array.from({ length: 300 }, (_, i) => `k${i}=${i}`).join('&')}`
      ]))
    }
    case 'cid': return { head: head(pick(r, ['GET', 'POST', 'DELETE']), pick(r, [`/pins/${badCid(r)}`, `/pins/ipfs/${badCid(r)}`, `/allocations/${badCid(r)}`, `/pins/${badCid(r)}/recover`, `/peers/${badCid(r)}`])) }
    case 'json': return withBody('POST', '/peers', pick(r, BAD_JSON), pick(r, ['application/json', 'text/plain', '']))
    case 'multipart': return badMultipart(r, `/add${pick(r, ['', '?local=true', '?format=car', '?stream-channels=false'])}`)
    default: return badChunked(r, 'POST', pick(r, ['/peers', '/add', `/pins/${badCid(r)}`, '/token']))
  }
}

const PINSVC_PATHS = ['/pins', '/token', '/health', '/pins/x/y']

function pinsvcCase (r: Rand, kind: string): Omit<RawRequest, 'port'> {
  switch (kind) {
    case 'path': return { head: head(pick(r, ['GET', 'POST', 'DELETE', 'PUT', 'OPTIONS', 'HEAD']), `${pick(r, PINSVC_PATHS)}/${garbage(r)}`) }
    case 'query': return {
      head: head('GET', `/pins?${pick(r, [
        `status=${garbage(r)}`, `limit=${pick(r, ['-1', 'x', '1e3', String(2 ** 64), ''])}`, `meta=${pick(r, ['%7B', '%5B1%5D', '%7B%22a%22%3A1%7D', garbage(r)])}`,
        `before=${garbage(r)}`, `after=${pick(r, ['2020-13-01T00:00:00Z', 'yesterday', garbage(r)])}`, `cid=${badCid(r)},${badCid(r)}`,
        `name=${'n'.repeat(300)}`, `match=${garbage(r)}&name=x&limit=0`
      ])}`)
    }
    case 'cid': return { head: head(pick(r, ['GET', 'DELETE']), `/pins/${badCid(r)}`) }
    case 'json': return withBody('POST', pick(r, ['/pins', `/pins/${badCid(r)}`]), pick(r, BAD_JSON))
    case 'multipart': return badMultipart(r, '/pins')
    default: return badChunked(r, 'POST', pick(r, ['/pins', '/token']))
  }
}

function proxyCase (r: Rand, kind: string): Omit<RawRequest, 'port'> {
  const m = pick(r, ['POST', 'POST', 'GET', 'PUT'])
  switch (kind) {
    case 'path': return { head: head(pick(r, ['POST', 'GET', 'DELETE', 'OPTIONS', 'BREW']), pick(r, [`/api/v0/pin/add/${badCid(r)}`, `/api/v0/pin/rm/${garbage(r)}`, `/api/v0/${garbage(r)}`, `/api/v1/${garbage(r)}`, `/${garbage(r)}`, '/api/v0/pin/add/', `/api/v0/pin/ls/${badCid(r)}/x`])) }
    case 'query': return {
      head: head(m, pick(r, [
        `/api/v0/pin/ls?type=${garbage(r)}`, `/api/v0/pin/add?arg=${garbage(r)}&recursive=${garbage(r)}`, `/api/v0/pin/update?arg=${badCid(r)}`,
        `/api/v0/pin/update?arg=${badCid(r)}&arg=${badCid(r)}`, `/api/v0/add?chunker=${garbage(r)}&only-hash=${garbage(r)}`,
        `/api/v0/block/put?pin=true&cid-codec=${garbage(r)}&mhtype=${garbage(r)}`, `/api/v0/dag/put?pin=true&input-codec=${garbage(r)}`,
        `/api/v0/pin/rm?arg=${badCid(r)}&arg=${badCid(r)}`, `/api/v0/pin/ls?${Array.from({ length: 300 }, (_, i) => `arg=${i}`).join('&')}`
      ]))
    }
    case 'cid': return { head: head(m, `/api/v0/${pick(r, ['pin/add', 'pin/rm', 'pin/ls'])}?arg=${badCid(r)}`) }
    case 'json': return withBody('POST', pick(r, ['/api/v0/dag/put?pin=true', '/api/v0/pin/add', '/api/v0/pin/ls']), pick(r, BAD_JSON))
    case 'multipart': return badMultipart(r, pick(r, ['/api/v0/add', '/api/v0/add?stream-channels=false', '/api/v0/block/put?pin=true', '/api/v0/dag/put?pin=true']))
    default: return badChunked(r, 'POST', pick(r, ['/api/v0/add', '/api/v0/block/put?pin=true', '/api/v0/pin/add', '/api/v0/version']))
  }
}

const KINDS = ['path', 'query', 'cid', 'json', 'multipart', 'chunked'] as const
const APIS: Api[] = ['rest', 'proxy', 'pinsvc']

/** The `i`-th malformed request (APIs and kinds in turn, details drawn from `r`). */
export function malformedCase (r: Rand, ports: Ports, i: number): Case {
  const api = APIS[i % APIS.length] as Api
  const kind = KINDS[Math.floor(i / APIS.length) % KINDS.length] as string
  const req = api === 'rest' ? restCase(r, kind) : api === 'proxy' ? proxyCase(r, kind) : pinsvcCase(r, kind)
  return { api, kind, req: { ...req, port: ports[api] } }
}

/**
 * Bodies 100 times `max_body_bytes` (so 100 MiB by default) where a small one is expected:
 * announced with Content-Length, or chunked without any.
 */
export function oversizeCase (ports: Ports, i: number, bytes: number): Case {
  const targets: Array<[Api, string, string]> = [
    ['rest', '/peers', 'application/json'], ['pinsvc', '/pins', 'application/json'], ['rest', `/pins/${Q1}0`, 'application/json'],
    ['proxy', '/api/v0/pin/add?arg=x0', 'application/json'], ['rest', '/add', 'multipart/form-data; boundary=zz'],
    ['proxy', '/api/v0/add', 'multipart/form-data; boundary=zz']
  ]
  const [api, path, type] = targets[i % targets.length] as [Api, string, string]
  const chunked = Math.floor(i / targets.length) % 2 === 1
  // Chunked: one endless-looking chunk, announced as 100 MiB.
  const framing = chunked ? ['Transfer-Encoding: chunked'] : [`Content-Length: ${bytes}`]
  const prefix = chunked ? `${bytes.toString(16)}\r\n` : ''
  return { api, kind: 'oversize', req: { port: ports[api], head: head('POST', path, [`Content-Type: ${type}`, ...framing]) + prefix, body: { size: bytes } } }
}
