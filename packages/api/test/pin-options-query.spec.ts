import { describe, expect, it } from 'vitest'
import {
  decodePinOptionsQuery, defaultPinOptions, encodePinOptionsQuery, parseCid, parseMultiaddr, parsePeerId,
  PinOptionsError, Timestamp
} from '../src/index.ts'
import type { PinOptions } from '../src/index.ts'

const P1 = parsePeerId('12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR')
const P2 = parsePeerId('12D3KooWJ7JLjFub4u2vrx8asEMz5gnbA2U5199GcXMfWaStDbAV')
const I1 = '12D3KooWD1xoefRXeDo5388rJoQfJeR2B2bVK7p9gXTn9JQE8nky'
const NOW = Timestamp.parse('2025-03-01T12:00:00+01:00')
const ctx = { now: () => NOW }

function decode (query: string): PinOptions {
  return decodePinOptionsQuery(new URLSearchParams(query), ctx)
}

function errorOf (query: string): string {
  try {
    decode(query)
  } catch (err) {
    expect(err).toBeInstanceOf(PinOptionsError)
    expect((err as PinOptionsError).status).toBe(400)
    expect((err as PinOptionsError).code).toBe('ERR_INVALID_PIN_OPTIONS')
    return (err as Error).message
  }
  throw new Error(`no error for ${query}`)
}

describe('decodePinOptionsQuery', () => {
  it('applies Go defaults and always yields a metadata object', () => {
    const po = decode('')
    expect(po).toEqual({ ...defaultPinOptions(), metadata: {} })
    expect(po.metadata).not.toBeNull()
    expect(po.userAllocations).toBeNull()
    expect(po.origins).toBeNull()
  })

  it('replication overrides both min and max', () => {
    const po = decode('replication=3&replication-min=1&replication-max=5')
    expect(po.replicationFactorMin).toBe(3)
    expect(po.replicationFactorMax).toBe(3)
    expect(decode('replication-min=-1&replication-max=-1').replicationFactorMax).toBe(-1)
    expect(decode('replication=').replicationFactorMin).toBe(0)
  })

  it('answers every error with Go\'s exact text', () => {
    expect(errorOf('replication-min=x')).toBe('parameter replication-min invalid')
    expect(errorOf('replication-max=1.5')).toBe('parameter replication-max invalid')
    expect(errorOf('replication=two')).toBe('parameter replication-min invalid')
    expect(errorOf('shard-size=-1')).toBe('parameter shard_size is invalid')
    expect(errorOf('expire-at=soon')).toBe('expire-at cannot be parsed: parsing time "soon" as "2006-01-02T15:04:05Z07:00": cannot parse "soon" as "2006"')
    expect(errorOf('expire-in=forever')).toBe('expire-in cannot be parsed: time: invalid duration "forever"')
    expect(errorOf('expire-in=999ms')).toBe('expire-in duration too short')
    expect(errorOf('pin-update=nope')).toBe('error decoding update option parameter: invalid cid: selected encoding not supported')
    expect(errorOf('origins=nope')).toBe('error decoding multiaddress: failed to parse multiaddr "nope": must begin with /')
    expect(errorOf('origins=/ip4/1.2.3.4/tcp/4001')).toBe('multiaddress does not contain peer ID: protocol not found in multiaddr')
  })

  it('silently drops invalid user allocations; empty means none', () => {
    expect(decode(`user-allocations=${P1},bogus,,${P2}`).userAllocations).toEqual([P1, P2])
    expect(decode('user-allocations=').userAllocations).toBeNull()
    expect(decode('user-allocations=bogus').userAllocations).toEqual([])
  })

  it('collects meta- keys, skipping the empty key and using the first value', () => {
    const po = decode('meta-kind=text&meta-=x&meta-kind=other&metadata=no&meta-a+b=c%26d&meta-__proto__=p')
    expect(po.metadata).toEqual({ kind: 'text', 'a b': 'c&d', ['__proto__']: 'p' })
    expect(Object.keys(po.metadata!)).toContain('__proto__')
  })

  it('expire-in counts from the injected now; expire-at wins over it', () => {
    expect(decode('expire-in=1h30m').expireAt.toString()).toBe('2025-03-01T13:30:00+01:00')
    expect(decode('expire-in=1s').expireAt.equals(NOW.add(1_000_000_000n))).toBe(true)
    expect(decode('expire-at=2030-01-01T00:00:00Z&expire-in=1h').expireAt.toString()).toBe('2030-01-01T00:00:00Z')
    expect(decode('expire-at=2025-06-01T12:00:00.5%2B02:00').expireAt.toString()).toBe('2025-06-01T12:00:00.5+02:00')
  })

  it('parses mode, name, shard size, pin-update and origins', () => {
    const po = decode(`mode=direct&name=my+pin&shard-size=104857600&pin-update=QmSZNMb8uztNA4S2yzEKQtSoEc1VPAxog91JAjR9Ye1deS&origins=/ip4/1.2.3.4/tcp/4001/ipfs/${I1}`)
    expect(po.mode).toBe('direct')
    expect(po.name).toBe('my pin')
    expect(po.shardSize).toBe(104857600)
    expect(po.pinUpdate?.equals(parseCid('QmSZNMb8uztNA4S2yzEKQtSoEc1VPAxog91JAjR9Ye1deS'))).toBe(true)
    expect(po.origins).toEqual([`/ip4/1.2.3.4/tcp/4001/p2p/${I1}`])
    expect(decode('mode=Direct').mode).toBe('recursive')
  })
})

describe('encodePinOptionsQuery', () => {
  it('writes exactly what ipfs-cluster-ctl pin add sends by default', () => {
    expect(encodePinOptionsQuery(defaultPinOptions())).toBe(
      'mode=recursive&name=&replication-max=0&replication-min=0&shard-size=0&user-allocations=')
  })

  it('round-trips a Go-client-style query string', () => {
    const po: PinOptions = {
      ...defaultPinOptions(),
      replicationFactorMin: 2,
      replicationFactorMax: 3,
      name: 'backup & more',
      mode: 'direct',
      shardSize: 104857600,
      userAllocations: [P1, P2],
      expireAt: Timestamp.parse('2025-06-01T12:00:00.5+02:00'),
      metadata: { kind: 'text', 'a b': 'c/d' },
      pinUpdate: parseCid('QmSZNMb8uztNA4S2yzEKQtSoEc1VPAxog91JAjR9Ye1deS'),
      origins: [parseMultiaddr(`/ip4/203.0.113.5/tcp/4001/p2p/${I1}`)]
    }
    const query = encodePinOptionsQuery(po)
    expect(query).toBe(
      'expire-at=2025-06-01T12%3A00%3A00.5%2B02%3A00&meta-a+b=c%2Fd&meta-kind=text&mode=direct&name=backup+%26+more' +
      `&origins=%2Fip4%2F203.0.113.5%2Ftcp%2F4001%2Fp2p%2F${I1}&pin-update=QmSZNMb8uztNA4S2yzEKQtSoEc1VPAxog91JAjR9Ye1deS` +
      `&replication-max=3&replication-min=2&shard-size=104857600&user-allocations=${P1}%2C${P2}`)
    expect(decodePinOptionsQuery(new URLSearchParams(query), ctx)).toEqual(po)
  })
})
