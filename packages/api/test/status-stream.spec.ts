/**
 * The lean status stream between our peers: the peer's fields go with the first item and when
 * they change, the pin's fields never, and the items read back (through JSON, as on the wire) are
 * the PinInfos sent with blank pin fields.
 */
import { describe, expect, it } from 'vitest'
import {
  fromStatusItems, parseCid, parseJson, parseMultiaddr, parsePeerId, statusStreamItemCodec, stringifyJson, Timestamp, toStatusItems,
  type PinInfo, type StatusStreamItem
} from '../src/index.ts'

const PEER = parsePeerId('12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR')
const IPFS = parsePeerId('12D3KooWJ7JLjFub4u2vrx8asEMz5gnbA2U5199GcXMfWaStDbAV')
const CIDS = ['bafybeiffd3lbj7yhtdcstalnjfhpmgg37obes2zrgejyo5mfgni2s4yipa', 'bafkreig6bm26z4gfprwdams273vb6strmhzg7yrfh6wdtvfqsa2x4zkylm', 'QmSZNMb8uztNA4S2yzEKQtSoEc1VPAxog91JAjR9Ye1deS']

function info (cid: string, over: Partial<PinInfo> = {}): PinInfo {
  return {
    cid: parseCid(cid), name: `n-${cid.slice(-4)}`, peer: PEER, allocations: [PEER], origins: [], created: Timestamp.parse('2025-03-01T12:35:10.081622217+01:00'),
    metadata: { k: 'v' }, peername: 'alpha', ipfsPeerId: IPFS, ipfsPeerAddresses: [parseMultiaddr('/ip4/127.0.0.1/tcp/4001')],
    status: 'pinned', timestamp: Timestamp.parse('2026-12-06T02:10:24.123456789Z'), error: '', attemptCount: 0, priorityPin: false, ...over
  }
}

async function * from<T> (items: T[]): AsyncGenerator<T> { yield * items }

async function collect<T> (it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

/** Through the wire: encoded, written as JSON, parsed and decoded. */
const overWire = (item: StatusStreamItem): StatusStreamItem => statusStreamItemCodec.decode(parseJson(stringifyJson(statusStreamItemCodec.encode(item))))

describe('status stream items', () => {
  it('send the peer fields with the first item and when they change, and read back as the statuses sent', async () => {
    const infos = [
      info(CIDS[0]!),
      info(CIDS[1]!, { status: 'pin_error', error: 'boom', attemptCount: 2, priorityPin: true, metadata: null, origins: null }),
      // Its Kubo came back with another address: the fields go again.
      info(CIDS[2]!, { ipfsPeerAddresses: [parseMultiaddr('/ip4/127.0.0.1/tcp/4002')], status: 'remote' }),
      info(CIDS[0]!, { ipfsPeerAddresses: [parseMultiaddr('/ip4/127.0.0.1/tcp/4002')], ipfsPeerId: undefined }),
      info(CIDS[1]!, { ipfsPeerAddresses: [parseMultiaddr('/ip4/127.0.0.1/tcp/4002')], ipfsPeerId: undefined })
    ]
    const items = await collect(toStatusItems(from(infos)))
    expect(items.map(i => i.who !== undefined)).toEqual([true, false, true, true, false])
    const wire = items.map(item => stringifyJson(statusStreamItemCodec.encode(item)))
    expect(wire[1]).not.toContain('alpha')
    expect(wire[1]).not.toContain(IPFS)
    // No pin fields on the wire: not the first item's name, allocation, creation time or metadata.
    expect(JSON.parse(wire[0]!)).not.toHaveProperty('name')
    expect(wire[0]).not.toContain('n-yipa')
    expect(wire[0]!.split(PEER).length).toBe(2) // the peer's own ID in `who`, not as an allocation
    expect(wire[0]).not.toContain('2025-03-01')
    expect(wire[0]).not.toContain('"k"')
    const blanks = { name: '', allocations: [], origins: null, created: Timestamp.ZERO, metadata: null }
    expect(await collect(fromStatusItems(from(items.map(overWire))))).toEqual(infos.map(i => ({ ...i, ...blanks })))
  })

  it('a stream whose first item lacks the peer fields fails', async () => {
    const [, second] = await collect(toStatusItems(from([info(CIDS[0]!), info(CIDS[1]!)])))
    await expect(collect(fromStatusItems(from([second!])))).rejects.toThrow(/peer's fields/)
  })

  it('refuses an item with a bad field', () => {
    const encoded = statusStreamItemCodec.encode({ ...info(CIDS[0]!), who: undefined }) as Record<string, unknown>
    expect(() => statusStreamItemCodec.decode({ ...encoded, status: 5 })).toThrow(/status/)
    expect(() => statusStreamItemCodec.decode({ ...encoded, cid: 'not a cid' })).toThrow(/cid/)
    expect(() => statusStreamItemCodec.decode({ ...encoded, who: { peername: 'x' } })).toThrow(/peer/)
  })
})
