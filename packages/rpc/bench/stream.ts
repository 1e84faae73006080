// Streaming throughput of the RPC layer: 30k status-sized items from one peer to another.
// Run: node --conditions=source packages/rpc/bench/stream.ts
import { codecs, parseCid, Timestamp, type PinInfo } from '@cluster/api'
import { loopbackNode } from '@cluster/test-utils'
import { RpcClient, RpcServer, streaming, json } from '@cluster/rpc'
import { summarize, writeResults } from '../../../scripts/lib/bench-results.ts'

const N = Number(process.env.BENCH_ITEMS ?? 30_000)
const Items = streaming('Bench.Items', 'open', json((v): v is number => typeof v === 'number'), codecs.pinInfo)
const info: PinInfo = {
  cid: parseCid('bafybeiffd3lbj7yhtdcstalnjfhpmgg37obes2zrgejyo5mfgni2s4yipa'), name: 'bench', peer: '12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR' as PinInfo['peer'],
  allocations: [], origins: null, created: Timestamp.now(), metadata: null, peername: 'peer0', ipfsPeerId: undefined,
  ipfsPeerAddresses: [], status: 'pinned', timestamp: Timestamp.now(), error: '', attemptCount: 0, priorityPin: false
}
const [a, b] = await Promise.all([loopbackNode(), loopbackNode()])
await a.peerStore.merge(b.peerId, { multiaddrs: b.getMultiaddrs() })
const server = new RpcServer({ self: b.peerId.toString() })
server.implement(Items, async function * (n) { for (let i = 0; i < n; i++) yield info })
await server.listen(b)
const client = new RpcClient(a, new RpcServer({ self: a.peerId.toString() }))
const rates: number[] = []
for (let run = 0; run < 3; run++) {
  const start = performance.now()
  let count = 0
  for await (const _ of client.stream(b.peerId.toString(), Items, N)) count++
  rates.push(count / ((performance.now() - start) / 1000))
}
writeResults('rpc-stream', [summarize(`stream ${N} PinInfo items between two loopback peers`, 'items/s', rates)])
await Promise.all([a.stop(), b.stop()])
