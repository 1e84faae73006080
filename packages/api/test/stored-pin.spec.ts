/** storedPin: a pin as Go's state gives it back (rest-api.md §2.2 and §2.4, the two Pin examples). */
import { describe, expect, it } from 'vitest'
import { defaultPinOptions, encodePin, parseCid, parseMultiaddr, parsePeerId, storedPin, stringifyJson, Timestamp, type Pin } from '../src/index.ts'

const P1 = parsePeerId('12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR')

/** A pin as `POST /pins` builds it (the second Pin example of the spec). */
const fresh: Pin = {
  ...defaultPinOptions(),
  replicationFactorMin: 2,
  replicationFactorMax: 3,
  metadata: {},
  userAllocations: [P1],
  cid: parseCid('bafkreig6bm26z4gfprwdams273vb6strmhzg7yrfh6wdtvfqsa2x4zkylm'),
  type: 'pin',
  allocations: [P1],
  maxDepth: -1,
  reference: undefined,
  timestamp: Timestamp.parse('2025-03-01T12:35:10.081622217+01:00')
}

describe('storedPin', () => {
  it('keeps whole seconds in the given offset, origins [], empty metadata null, no user allocations', () => {
    expect(stringifyJson(encodePin(storedPin(fresh, 60)))).toBe(
      '{"replication_factor_min":2,"replication_factor_max":3,"name":"","mode":"recursive","shard_size":0,"user_allocations":null,' +
      '"expire_at":"0001-01-01T00:00:00Z","metadata":null,"pin_update":null,"origins":[],' +
      '"cid":"bafkreig6bm26z4gfprwdams273vb6strmhzg7yrfh6wdtvfqsa2x4zkylm","type":"pin",' +
      `"allocations":["${P1}"],"max_depth":-1,"reference":null,"timestamp":"2025-03-01T12:35:10+01:00"}`)
  })

  it('shows the local offset by default, keeps what the state keeps, and is idempotent', () => {
    const origin = parseMultiaddr('/ip4/203.0.113.5/tcp/4001/p2p/12D3KooWD1xoefRXeDo5388rJoQfJeR2B2bVK7p9gXTn9JQE8nky')
    const pin: Pin = {
      ...fresh, name: 'dataset', metadata: { kind: 'text' }, origins: [origin], allocations: null, maxDepth: 0, mode: 'recursive',
      expireAt: Timestamp.parse('2030-01-02T03:04:05.999Z')
    }
    const stored = storedPin(pin)
    const local = Timestamp.fromUnixNanos(stored.timestamp.unixNanos, 'local').offsetMinutes
    expect(stored.timestamp.offsetMinutes).toBe(local)
    expect(stored.timestamp.unixNanos).toBe(Timestamp.parse('2025-03-01T11:35:10Z').unixNanos)
    expect(stored.expireAt.unixNanos).toBe(Timestamp.parse('2030-01-02T03:04:05Z').unixNanos)
    expect(stored).toMatchObject({ name: 'dataset', metadata: { kind: 'text' }, origins: [origin], allocations: [], mode: 'direct', userAllocations: null })
    expect(storedPin(stored)).toEqual(stored)
  })

  it('leaves zero times zero', () => {
    const stored = storedPin({ ...fresh, timestamp: Timestamp.ZERO })
    expect(stored.timestamp.toString()).toBe('0001-01-01T00:00:00Z')
    expect(stored.expireAt.toString()).toBe('0001-01-01T00:00:00Z')
  })
})
