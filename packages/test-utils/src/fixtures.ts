/** Fixed identities, CIDs and pins of the API-layer tests (rest-api.md's examples). */
import { CID, parseCid, parseMultiaddr, parsePeerId, Timestamp } from '@cluster/api'
import type { Multiaddr, PeerId, Pin } from '@cluster/api'

export const P1 = parsePeerId('12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR')
export const P2 = parsePeerId('12D3KooWJ7JLjFub4u2vrx8asEMz5gnbA2U5199GcXMfWaStDbAV')
export const P3 = parsePeerId('12D3KooWJVyhPXhspHCmP1qkstWB5HJ19j3REsBmBBpUEUEaiqzM')
export const I1 = parsePeerId('12D3KooWD1xoefRXeDo5388rJoQfJeR2B2bVK7p9gXTn9JQE8nky')
export const I2 = parsePeerId('12D3KooWDx15rHqPDhHneb9ArKpTDui338SutD7NZYpuFTou7bFo')
export const I3 = parsePeerId('12D3KooWAtsv2GqskBUkbzRv7NjnqBmibWDZ73TiCrn88VWLu715')
export const C1 = 'bafybeiffd3lbj7yhtdcstalnjfhpmgg37obes2zrgejyo5mfgni2s4yipa'
export const C2 = 'bafkreig6bm26z4gfprwdams273vb6strmhzg7yrfh6wdtvfqsa2x4zkylm'
export const C3 = 'bafybeigsoccejxbaj5s5imrpwkcdciqmga53akx6ykpfhthef6yilqv5zy'
export const Q1 = 'QmSZNMb8uztNA4S2yzEKQtSoEc1VPAxog91JAjR9Ye1deS'
export const Q2 = 'QmYFQTdsnwUVEZmALypPf8wLz6VAPKPYpwPGgUD7NEfh4M'

export const T0 = Timestamp.parse('2025-03-01T12:34:56+01:00')

export const ma = (s: string): Multiaddr => parseMultiaddr(s)

export interface FakePeer { id: PeerId, name: string, ipfs: PeerId, host: string }

export const PEERS: FakePeer[] = [
  { id: P1, name: 'peer0', ipfs: I1, host: '203.0.113.5' },
  { id: P2, name: 'peer1', ipfs: I2, host: '203.0.113.6' },
  { id: P3, name: 'peer2', ipfs: I3, host: '203.0.113.7' }
]

/** A deterministic valid CIDv1 (raw codec) for index `i`, built without hashing. */
export function syntheticCid (i: number): CID {
  const bytes = new Uint8Array(36)
  bytes.set([0x01, 0x55, 0x12, 0x20])
  const view = new DataView(bytes.buffer)
  view.setUint32(4, i)
  view.setUint32(8, Math.imul(i, 2654435761) >>> 0)
  return CID.decode(bytes)
}

/** The pin of rest-api.md §2.4's first example (state-backed, replication -1). */
export function examplePin (): Pin {
  return {
    replicationFactorMin: -1,
    replicationFactorMax: -1,
    name: 'dataset-2025',
    mode: 'recursive',
    shardSize: 0,
    userAllocations: null,
    expireAt: Timestamp.ZERO,
    metadata: { kind: 'text' },
    pinUpdate: undefined,
    origins: [],
    cid: parseCid(C1),
    type: 'pin',
    allocations: [],
    maxDepth: -1,
    reference: undefined,
    timestamp: T0
  }
}
