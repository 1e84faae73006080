/** Formatters against the examples of ctl.md §4.3 and the go-humanize rules of §4.4. */
import { describe, expect, it } from 'vitest'
import { parseCid, parseMultiaddr, parsePeerId, Timestamp } from '@cluster/api'
import type { GlobalPinInfo, Id, Pin } from '@cluster/api'
import {
  formatAddedOutput, formatAlert, formatApiError, formatBandwidth, formatGlobalPinInfo, formatGlobalRepoGc, formatId,
  formatMetric, formatPin, humanBytes, indentJson, makeDot, relativeTime, statusReached
} from '../src/index.ts'
import { C1, C2, examplePin, I1, I2, P1, P2, P3 } from '@cluster/test-utils'
import { goFixed } from '../src/humanize.ts'

const SEC = 1_000_000_000n
const NOW = 1_740_830_000n * SEC

describe('ID', () => {
  const ma = parseMultiaddr
  const id: Id = {
    id: P1,
    addresses: [ma(`/ip4/192.168.1.10/tcp/9096/p2p/${P1}`), ma(`/ip4/127.0.0.1/tcp/9096/p2p/${P1}`)],
    clusterPeers: [P1, P2],
    clusterPeersAddresses: [],
    version: '1.1.6',
    commit: '',
    rpcProtocolVersion: '/ipfscluster/1.0/rpc',
    error: '',
    ipfs: { id: I1, addresses: [ma(`/ip4/192.168.1.10/tcp/4001/p2p/${I1}`), ma(`/ip4/127.0.0.1/tcp/4001/p2p/${I1}`)], error: '' },
    peername: 'peer0'
  }

  it('prints the healthy peer block of the spec example', () => {
    expect(formatId(id)).toBe(`${P1} | peer0 | Sees 1 other peers
  > Addresses:
    - /ip4/127.0.0.1/tcp/9096/p2p/${P1}
    - /ip4/192.168.1.10/tcp/9096/p2p/${P1}
  > IPFS: ${I1}
    - /ip4/127.0.0.1/tcp/4001/p2p/${I1}
    - /ip4/192.168.1.10/tcp/4001/p2p/${I1}
`)
  })

  it('prints errors and the -1 quirk', () => {
    expect(formatId({ ...id, id: P2, error: 'dial backoff' })).toBe(`${P2} | ERROR: dial backoff\n`)
    expect(formatId({ ...id, ipfs: { id: undefined, addresses: null, error: 'ipfs down' } })).toMatch(/ {2}> IPFS ERROR: ipfs down\n$/)
    expect(formatId({ ...id, clusterPeers: null })).toContain('| Sees -1 other peers\n')
  })
})

describe('GlobalPinInfo', () => {
  it('sorts by peer ID, pads labels to 20, keeps offsets and errors (spec example)', () => {
    const short = { ipfsPeerId: undefined, ipfsPeerAddresses: [], error: '', attemptCount: 0, priorityPin: false }
    const gpi: GlobalPinInfo = {
      cid: parseCid(C1),
      name: 'dataset-2025',
      allocations: [],
      origins: [],
      created: Timestamp.ZERO,
      metadata: null,
      peerMap: {
        [P1]: { ...short, peername: 'peer0', status: 'pinned', timestamp: Timestamp.parse('2025-03-01T12:34:56+01:00') },
        [P2]: { ...short, peername: 'peer1', status: 'pin_error', error: 'context deadline exceeded', attemptCount: 3, timestamp: Timestamp.parse('2025-03-01T12:36:02.114Z') },
        [P3]: { ...short, peername: '', status: 'remote', timestamp: Timestamp.parse('2025-03-01T12:40:00.500+01:00') }
      }
    }
    expect(formatGlobalPinInfo(gpi)).toBe(`${C1} | dataset-2025:
    > peer1                : PIN_ERROR: context deadline exceeded | 2025-03-01T12:36:02.114Z | Attempts: 3 | Priority: false
    > ${P3} : REMOTE | 2025-03-01T12:40:00.5+01:00 | Attempts: 0 | Priority: false
    > peer0                : PINNED | 2025-03-01T12:34:56+01:00 | Attempts: 0 | Priority: false
`)
    expect(formatGlobalPinInfo({ ...gpi, name: '', peerMap: null })).toBe(`${C1}:\n`)
  })
})

describe('Pin', () => {
  const base: Pin = { ...examplePin(), timestamp: Timestamp.parse('2025-03-01T12:34:56+01:00') }


  it('prints both spec examples', () => {
    expect(formatPin(base)).toBe(`${C1} | dataset-2025 | PIN | Repl. Factor: -1 | Allocations: [everywhere] | Recursive | Metadata: yes | Exp: ∞ | Added: 2025-03-01 12:34:56\n`)
    expect(formatPin({
      ...base,
      cid: parseCid(C2),
      name: '',
      mode: 'direct',
      maxDepth: 0,
      replicationFactorMin: 2,
      replicationFactorMax: 3,
      allocations: [P1, P2],
      metadata: {},
      expireAt: Timestamp.parse('2025-06-01T12:00:00Z'),
      timestamp: Timestamp.parse('2025-03-01T12:35:10Z')
    })).toBe(`${C2} |  | PIN-DIRECT | Repl. Factor: 2--3 | Allocations: [${P2} ${P1}] | Direct | Metadata: no | Exp: 2025-06-01 12:00:00 | Added: 2025-03-01 12:35:10\n`)
  })

  it('prints other depths, types and unknown added times', () => {
    const line = formatPin({ ...base, type: 'shard-pin', maxDepth: 1, timestamp: Timestamp.ZERO, replicationFactorMin: 1, replicationFactorMax: 1, allocations: null })
    expect(line).toContain('| SHARD-PIN | Repl. Factor: 1--1 | Allocations: [] | Recursive-1 |')
    expect(line).toMatch(/\| Added: unknown\n$/)
  })
})

describe('other objects', () => {
  it('AddedOutput, API error', () => {
    const o = { name: '', cid: parseCid(C1), bytes: 0, size: 0, allocations: [] }
    expect(formatAddedOutput(o, false)).toBe(`added ${C1} \n`)
    expect(formatAddedOutput({ ...o, name: 'photos' }, true)).toBe(`${C1}\n`)
    expect(formatApiError({ code: 401, message: 'unauthorized' })).toBe('An error occurred:\n  Code: 401\n  Message: unauthorized\n')
  })

  it('Metric and Alert (freespace uses the weight)', () => {
    const m = { name: 'freespace', peer: P1, value: '52044009472', expire: NOW + 29n * SEC + SEC / 2n, valid: true, weight: 52044009472, partitionable: false, receivedAt: NOW }
    expect(formatMetric(m, NOW)).toBe(`${P1} | freespace: 52 GB | Expires in: 29 seconds from now\n`)
    expect(formatMetric({ ...m, name: 'ping', value: '{"peer_name":"peer0"}', weight: 0 }, NOW)).toContain('| ping: {"peer_name":"peer0"} |')
    const a = { ...m, peer: P2, name: 'ping', expire: NOW - 150n * SEC, triggeredAt: Timestamp.fromUnixNanos(NOW - 125n * SEC) }
    expect(formatAlert(a, NOW)).toBe(`${P2}: ping. Expired at: 2 minutes ago. Triggered at: 2 minutes ago\n`)
  })

  it('GlobalRepoGC (spec example, trailing spaces kept)', () => {
    const text = formatGlobalRepoGc({
      peerMap: {
        [P1]: { peer: P1, peername: 'peer0', keys: [{ key: parseCid(C2), error: '' }, { key: undefined, error: 'could not remove block' }], error: '' },
        [P2]: { peer: P2, peername: 'peer1', keys: [], error: 'dial backoff' }
      }
    })
    expect(text).toBe(`peer1           | ERROR: dial backoff\n  > CIDs:\npeer0          \n  > CIDs:\n    - ${C2}\n    - ERROR: could not remove block\n`)
  })

  it('bandwidth (spec example)', () => {
    expect(formatBandwidth({ '/ipfscluster/1.0/rpc': { totalIn: 482113, totalOut: 990871, rateIn: 120.5, rateOut: 310.25 } }))
      .toBe('     /ipfscluster/1.0/rpc: In:  482 kB. Out:  991 kB. RateIn: 120.50B/s. RateOut: 310.25B/s\n')
    expect(formatBandwidth(null)).toBe('')
  })

  it('health graph: the two-peer example of the spec, byte for byte', () => {
    const dot = makeDot({
      clusterId: P1,
      idToPeername: { [P1]: 'peer0', [P2]: 'peer1' },
      ipfsLinks: { [I1]: [I2], [I2]: [I1] },
      clusterLinks: { [P1]: [P2], [P2]: [P1] },
      clusterTrustLinks: { [P1]: true, [P2]: true },
      clusterToIpfs: { [P1]: I1, [P2]: I2 }
    }, false)
    expect(dot).toBe(`digraph cluster {
/* The nodes of the connectivity graph */
/* The cluster-service peers */
subgraph  {
rank="min"
T0 [label=< <B> peer1 </B> <BR/> <B> 12*StDbAV </B> > group="${P2}" color="orange" style="filled" colorscheme="x11" fontcolor="black" fontname="Arial" shape="box3d" ]
C1 [label=< <B> peer0 </B> <BR/> <B> 12*GkCPyR </B> > group="${P1}" color="orange" style="filled" colorscheme="x11" fontcolor="black" fontname="Arial" shape="box3d" peripheries="2" ]
}

/* The ipfs peers */
subgraph  {
rank="max"
I0 [label=< <B> IPFS </B> <BR/> <B> 12*QE8nky </B> > group="${I1}" color="turquoise3" style="filled" colorscheme="x11" fontcolor="black" fontname="Arial" shape="cylinder" ]
I1 [label=< <B> IPFS </B> <BR/> <B> 12*ou7bFo </B> > group="${I2}" color="turquoise3" style="filled" colorscheme="x11" fontcolor="black" fontname="Arial" shape="cylinder" ]
}

/* Edges representing active connections in the cluster */
/* The connections among cluster-service peers */
T0 -> C1
C1 -> T0

/* The connections between cluster peers and their ipfs daemons */
T0 -> I1
C1 -> I0

/* The swarm peer connections among ipfs daemons in the cluster */
I0 -> I1
I1 -> I0
}`)
  })
})

describe('go-humanize and Go formatting helpers', () => {
  it('SI bytes', () => {
    expect([0, 9, 10, 999, 1000, 5_200_000_000, 52_044_009_472, 482_113, 1_550].map(humanBytes))
      .toEqual(['0 B', '9 B', '10 B', '999 B', '1.0 kB', '5.2 GB', '52 GB', '482 kB', '1.6 kB'])
  })

  it('relative time table', () => {
    const rel = (d: bigint): string => relativeTime(NOW - d, NOW)
    expect(rel(0n)).toBe('now')
    expect(rel(SEC)).toBe('1 second ago')
    expect(relativeTime(NOW + 29n * SEC, NOW)).toBe('29 seconds from now')
    expect(rel(90n * SEC)).toBe('1 minute ago')
    expect(rel(3n * 3600n * SEC)).toBe('3 hours ago')
    expect(rel(36n * 3600n * SEC)).toBe('1 day ago')
    expect(rel(10n * 86400n * SEC)).toBe('1 week ago')
    expect(rel(45n * 86400n * SEC)).toBe('1 month ago')
    expect(rel(400n * 86400n * SEC)).toBe('1 year ago')
    expect(rel(600n * 86400n * SEC)).toBe('2 years ago')
    expect(rel(3650n * 86400n * SEC)).toBe('10 years ago')
    expect(relativeTime(Timestamp.ZERO.unixNanos, NOW)).toBe('a long while ago')
  })

  it('%.Nf rounds exact ties to even like Go', () => {
    expect(goFixed(0.125, 2)).toBe('0.12')
    expect(goFixed(0.375, 2)).toBe('0.38')
    expect(goFixed(52.5, 0)).toBe('52')
    expect(goFixed(120.5, 2)).toBe('120.50')
  })

  it('indented JSON like json.MarshalIndent', () => {
    expect(indentJson('{"a":[],"b":{},"c":[1,{"d":"x,y:{"}]}')).toBe('{\n    "a": [],\n    "b": {},\n    "c": [\n        1,\n        {\n            "d": "x,y:{"\n        }\n    ]\n}')
  })

  it('wait targets (statusReached)', () => {
    const gpi = (...statuses: string[]): GlobalPinInfo => ({
      cid: parseCid(C1), name: '', allocations: [], origins: [], created: Timestamp.ZERO, metadata: null,
      peerMap: Object.fromEntries(statuses.map((s, i) => [parsePeerId([P1, P2, P3][i]!), {
        peername: '', ipfsPeerId: undefined, ipfsPeerAddresses: [], status: s as 'pinned', timestamp: Timestamp.ZERO, error: '', attemptCount: 0, priorityPin: false
      }]))
    })
    expect(statusReached('pinned', gpi('pinned', 'remote'), 0)).toBe(true)
    expect(statusReached('pinned', gpi('pinned', 'pinning'), 0)).toBe(false)
    expect(statusReached('pinned', gpi('pinned', 'pinning'), 1)).toBe(true)
    expect(statusReached('pinned', gpi('pinned', 'pinned'), 5)).toBe(true)
    expect(statusReached('unpinned', gpi('unpinned', 'remote'), 0)).toBe(false)
    expect(() => statusReached('pinned', gpi('pinned', 'pin_error'), 0)).toThrow('error has occurred while attempting to reach status: pinned')
  })
})
