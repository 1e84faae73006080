import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ApiError, codecs, decodeGlobalPinInfo, decodeMetric, decodePin, DecodeError, parseJson, stringifyJson } from '../src/index.ts'
import type { CodecName } from '../src/index.ts'

interface Case { type: string, in: string, out: string }
const cases = JSON.parse(readFileSync(new URL('./fixtures/go-roundtrip.json', import.meta.url), 'utf8')) as Case[]
const sample = (type: string): Record<string, unknown> =>
  parseJson(cases.find((c) => c.type === type)!.out) as Record<string, unknown>

function decodeErrorOf (fn: () => unknown): DecodeError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError)
    return err as DecodeError
  }
  throw new Error('expected a DecodeError')
}

describe('malformed input', () => {
  const pin = sample('pin')
  const gpi = sample('globalPinInfo')
  const P1 = Object.keys(gpi.peer_map as object)[0]!

  it('wrong JSON types fail with the path', () => {
    expect(decodeErrorOf(() => decodePin({ ...pin, name: 5 })).path).toBe('name')
    expect(decodeErrorOf(() => decodePin({ ...pin, replication_factor_min: '1' })).path).toBe('replication_factor_min')
    expect(decodeErrorOf(() => decodePin({ ...pin, replication_factor_min: 1.5 })).path).toBe('replication_factor_min')
    expect(decodeErrorOf(() => decodePin({ ...pin, shard_size: -1 })).path).toBe('shard_size')
    expect(decodeErrorOf(() => decodePin({ ...pin, allocations: 'x' })).path).toBe('allocations')
    expect(decodeErrorOf(() => decodePin({ ...pin, metadata: { a: 1 } })).path).toBe('metadata.a')
    expect(decodeErrorOf(() => decodePin({ ...pin, mode: 1 })).path).toBe('mode')
    expect(decodeErrorOf(() => decodePin({ ...pin, type: null })).path).toBe('type')
    expect(decodeErrorOf(() => decodePin([])).path).toBe('')
    expect(decodeErrorOf(() => decodePin(null)).message).toBe('expected object, got null')
    const peerMap = { ...(gpi.peer_map as object), [P1]: { ...(gpi.peer_map as Record<string, object>)[P1], status: 16 } }
    const err = decodeErrorOf(() => decodeGlobalPinInfo({ ...gpi, peer_map: peerMap }))
    expect(err.path).toBe(`peer_map.${P1}.status`)
    expect(err.message).toBe(`peer_map.${P1}.status: expected string, got number`)
  })

  it('bad CIDs, peer IDs, multiaddrs and timestamps fail', () => {
    expect(decodeErrorOf(() => decodePin({ ...pin, cid: 'bafynotacid' })).path).toBe('cid')
    expect(decodeErrorOf(() => decodePin({ ...pin, reference: '' })).path).toBe('reference')
    expect(decodeErrorOf(() => decodePin({ ...pin, allocations: ['12D3KooWbogus'] })).path).toBe('allocations[0]')
    expect(decodeErrorOf(() => decodePin({ ...pin, user_allocations: [''] })).path).toBe('user_allocations[0]')
    expect(decodeErrorOf(() => decodePin({ ...pin, origins: [''] })).path).toBe('origins[0]')
    expect(decodeErrorOf(() => decodePin({ ...pin, timestamp: 'yesterday' })).path).toBe('timestamp')
    expect(decodeErrorOf(() => decodePin({ ...pin, timestamp: 0 })).path).toBe('timestamp')
    expect(decodeErrorOf(() => decodeGlobalPinInfo({ ...gpi, peer_map: { notapeer: {} } })).path).toBe('peer_map.notapeer')
    // The cause keeps the scalar parser's named error.
    expect(decodeErrorOf(() => decodePin({ ...pin, cid: 'x' })).cause).toBeInstanceOf(ApiError)
  })

  it('missing required fields and null where not allowed fail', () => {
    const { cid: _cid, ...noCid } = pin
    expect(decodeErrorOf(() => decodePin(noCid)).message).toBe('cid: missing required field')
    expect(decodeErrorOf(() => decodePin({ ...pin, cid: null })).path).toBe('cid')
    expect(decodeErrorOf(() => decodePin({ ...pin, name: null })).path).toBe('name')
    expect(decodeErrorOf(() => decodeMetric({ ...sample('metric'), peer: null })).path).toBe('peer')
    expect(decodeErrorOf(() => decodeMetric({ ...sample('metric'), expire: 1.5 })).path).toBe('expire')
    expect(decodeErrorOf(() => decodeMetric({ ...sample('metric'), expire: 2n ** 63n })).path).toBe('expire')
  })

  it('accepts what Go accepts: null arrays/maps/times, unknown status/mode/type, unknown keys', () => {
    const p = decodePin({ ...pin, allocations: null, metadata: null, expire_at: null, mode: 'x', type: 'y', extra: 1 })
    expect(p.allocations).toBeNull()
    expect(p.metadata).toBeNull()
    expect(p.expireAt.isZero()).toBe(true)
    expect(p.mode).toBe('recursive')
    expect(p.type).toBe('bad-type')
  })
})

// A tiny deterministic PRNG (mulberry32), so failures are reproducible.
function rng (seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const SCALARS: unknown[] = [
  null, true, false, 0, -1, 1.5, 2 ** 60, -(2n ** 70n), 12n, '', 'x', '__proto__', 'pinned', 'direct',
  '12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR', 'QmSZNMb8uztNA4S2yzEKQtSoEc1VPAxog91JAjR9Ye1deS',
  'bafybeiffd3lbj7yhtdcstalnjfhpmgg37obes2zrgejyo5mfgni2s4yipa', '/ip4/1.2.3.4/tcp/1', '2025-03-01T12:00:00Z',
  '0001-01-01T00:00:00Z', '2025-03-01T12:00:00+24:00', '\u2028<&>'
]

function randomJson (r: () => number, depth: number): unknown {
  const k = r()
  if (depth <= 0 || k < 0.5) return SCALARS[Math.floor(r() * SCALARS.length)]
  if (k < 0.7) return Array.from({ length: Math.floor(r() * 4) }, () => randomJson(r, depth - 1))
  const obj: Record<string, unknown> = {}
  const keys = ['cid', 'name', 'peer_map', 'id', 'status', 'keys', 'key', 'code', 'message', 'ipfs', 'version', '12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR']
  for (let i = Math.floor(r() * 5); i > 0; i--) obj[keys[Math.floor(r() * keys.length)]!] = randomJson(r, depth - 1)
  return obj
}

function mutate (value: unknown, r: () => number, depth: number): unknown {
  if (depth <= 0 || value === null || typeof value !== 'object') return r() < 0.3 ? randomJson(r, 2) : value
  if (Array.isArray(value)) return value.map((v) => (r() < 0.3 ? mutate(v, r, depth - 1) : v))
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    const roll = r()
    if (roll < 0.08) continue // drop a field
    out[k] = roll < 0.35 ? mutate(v, r, depth - 1) : v
  }
  return out
}

function onlyNamedErrors (name: CodecName, input: unknown): 'ok' | 'rejected' {
  const codec = codecs[name]
  let decoded: unknown
  try {
    decoded = (codec.decode as (v: unknown) => unknown)(input)
  } catch (err) {
    if (!(err instanceof ApiError)) throw new Error(`${name}: non-named error ${String(err)} for ${JSON.stringify(input, (_k, v: unknown) => typeof v === 'bigint' ? `${v}n` : v)}`)
    return 'rejected'
  }
  try {
    stringifyJson((codec.encode as (v: unknown) => never)(decoded))
  } catch (err) {
    if (!(err instanceof ApiError)) throw new Error(`${name}: encode threw ${String(err)}`)
  }
  return 'ok'
}

describe('property: random input only ever yields named errors', () => {
  const names = Object.keys(codecs) as CodecName[]

  it('random JSON values (bounded)', () => {
    const r = rng(0xc1a5)
    let rejected = 0
    for (let i = 0; i < 400; i++) {
      const input = randomJson(r, 4)
      for (const name of names) if (onlyNamedErrors(name, input) === 'rejected') rejected++
    }
    expect(rejected).toBeGreaterThan(0)
  })

  it('mutations of valid Go objects (bounded)', () => {
    const r = rng(42)
    let ok = 0
    let rejected = 0
    for (const c of cases) {
      if (c.type === 'pinInfoToGlobal') continue
      const valid = parseJson(c.out)
      for (let i = 0; i < 60; i++) {
        if (onlyNamedErrors(c.type as CodecName, mutate(valid, r, 3)) === 'ok') ok++
        else rejected++
      }
    }
    expect(ok).toBeGreaterThan(0)
    expect(rejected).toBeGreaterThan(0)
  })
})
