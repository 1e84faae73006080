import { CID } from 'multiformats/cid'
import { describe, expect, it } from 'vitest'
import { distance, isClosestPeer } from '@cluster/monitor'

const P1 = '12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR'
const P2 = '12D3KooWJ7JLjFub4u2vrx8asEMz5gnbA2U5199GcXMfWaStDbAV'
const P3 = '12D3KooWJVyhPXhspHCmP1qkstWB5HJ19j3REsBmBBpUEUEaiqzM'
const C1 = CID.parse('bafybeiffd3lbj7yhtdcstalnjfhpmgg37obes2zrgejyo5mfgni2s4yipa')
const Q1 = CID.parse('QmSZNMb8uztNA4S2yzEKQtSoEc1VPAxog91JAjR9Ye1deS')
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

describe('repin distance (BLAKE2b-256 XOR, cluster-behaviour.md §6)', () => {
  // Vectors computed with Go's golang.org/x/crypto/blake2b.Sum256 over the same bytes.
  it.each([
    [P1, C1, '417540104d855e27cfa011f19b4c88ee4beb6a2e7c2b731357a89497f5f85bf7'],
    [P2, C1, '1bb4afefecb502cc9fa785d3980364f7fd73e8ae8c003d2cb95b807a09af2b5f'],
    [P3, C1, 'b6c5e401e4b4f3c700259c899a6b22530d3e4a07f9bafc110a6f83a07c9844d6'],
    [P1, Q1, '70fad155f8321e2db97d5dae7b5905b6e51fe2ac219487b526667ce0ea496e0b'],
    [P2, Q1, '2a3b3eaa590242c6e97ac98c7816e9af5387602cd1bfc98ac895680d161e1ea3'],
    [P3, Q1, '874a75445103b3cd76f8d0d67a7eaf0ba3cac285a40508b77ba16bd76329712a']
  ])('matches Go for %s and %s', (peer, cid, expected) => {
    expect(hex(distance(peer, cid))).toBe(expected)
  })

  it('picks exactly one closest peer, excluding the peer that went down', () => {
    const peers = [P1, P2, P3]
    // For C1: P2 (0x1b…) < P1 (0x41…) < P3 (0xb6…).
    const actors = (down: string): string[] => peers.filter(p => p !== down && isClosestPeer(p, C1, peers, down))
    expect(actors(P3)).toEqual([P2])
    expect(actors(P2)).toEqual([P1])
  })

  it('lets nobody act when the closest peer is another dead peer (Go behaviour)', () => {
    // P1 went down; P2 is closest but is it alive? The check does not know: P3 never acts.
    expect(isClosestPeer(P3, C1, [P1, P2, P3], P1)).toBe(false)
  })
})
