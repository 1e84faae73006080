/**
 * globalPinInfoJson writes what the generic path (encodeGlobalPinInfo, then stringifyJson) writes,
 * byte for byte: for Go's own GlobalPinInfo and for statuses with every optional part present or
 * absent, keys out of order, and strings Go escapes.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  decodeGlobalPinInfo, encodeGlobalPinInfo, globalPinInfoJson, newRecord, parseCid, parseJson, parseMultiaddr, parsePeerId,
  stringifyJson, Timestamp, type GlobalPinInfo, type PinInfoShort
} from '../src/index.ts'

const P1 = parsePeerId('12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR')
const P2 = parsePeerId('12D3KooWJ7JLjFub4u2vrx8asEMz5gnbA2U5199GcXMfWaStDbAV')
const P3 = parsePeerId('QmSZNMb8uztNA4S2yzEKQtSoEc1VPAxog91JAjR9Ye1deS')
const ODD = 'a<b>&"c"\\\n\t\u0001\u2028 é 😀 \ud800'

function short (over: Partial<PinInfoShort> = {}): PinInfoShort {
  return {
    peername: 'peer', ipfsPeerId: P3, ipfsPeerAddresses: [parseMultiaddr('/ip4/127.0.0.1/tcp/4001'), parseMultiaddr('/ip6/::1/tcp/4001')],
    status: 'pinned', timestamp: Timestamp.parse('2026-12-06T02:10:24.123456789+01:00'), error: '', attemptCount: 0, priorityPin: false,
    ...over
  }
}

function global (over: Partial<GlobalPinInfo> = {}, peers: Array<[string, PinInfoShort]> = [[P1, short()]]): GlobalPinInfo {
  const peerMap = newRecord<PinInfoShort>()
  for (const [k, v] of peers) peerMap[k] = v
  return {
    cid: parseCid('bafybeiffd3lbj7yhtdcstalnjfhpmgg37obes2zrgejyo5mfgni2s4yipa'), name: 'n', allocations: [P1, P2], origins: [],
    created: Timestamp.parse('2025-03-01T12:35:10.081622217+01:00'), metadata: { kind: 'text' }, peerMap, ...over
  }
}

const generic = (g: GlobalPinInfo): string => stringifyJson(encodeGlobalPinInfo(g))

describe('globalPinInfoJson', () => {
  it("writes Go's bytes for Go's GlobalPinInfo fixture", () => {
    const fixtures = JSON.parse(readFileSync(new URL('./fixtures/go-roundtrip.json', import.meta.url), 'utf8')) as Array<{ type: string, in: string, out: string }>
    const cases = fixtures.filter(c => c.type === 'globalPinInfo')
    expect(cases.length).toBeGreaterThan(0)
    for (const c of cases) expect(globalPinInfoJson(decodeGlobalPinInfo(parseJson(c.in)))).toBe(c.out)
  })

  it.each([
    ['three peers out of order', global({}, [[P3, short({ status: 'remote' })], [P1, short()], [P2, short({ status: 'pin_error', error: 'boom', attemptCount: 3, priorityPin: true })]])],
    ['no peer map', global({ peerMap: null })],
    ['an empty peer map', global({}, [])],
    ['null allocations, origins and metadata', global({ allocations: null, origins: null, metadata: null })],
    ['origins and an empty metadata map', global({ origins: [parseMultiaddr('/ip4/1.2.3.4/tcp/4001/p2p/12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR')], metadata: {} })],
    ['metadata keys in UTF-8 order, values escaped', global({ metadata: { z: ODD, a: '1', 'é': '2', '\uffff': '3', '😀': '4', A: '' } })],
    ['strings Go escapes', global({ name: ODD }, [[P1, short({ peername: ODD, error: ODD })]])],
    ['no IPFS peer ID nor addresses', global({}, [[P1, short({ ipfsPeerId: undefined, ipfsPeerAddresses: [] })]])],
    ['zero times', global({ created: Timestamp.ZERO }, [[P1, short({ timestamp: Timestamp.ZERO })]])]
  ])('matches the generic writer: %s', (_name, g) => {
    expect(globalPinInfoJson(g)).toBe(generic(g))
  })
})
