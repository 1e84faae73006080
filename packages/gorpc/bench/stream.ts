// Streaming throughput of Go's peer RPC as we serve it: 30k PinInfo items of
// PinTracker.StatusAll (what a Go peer's `status` asks each of ours) between two loopback peers.
// Run: node --conditions=source packages/gorpc/bench/stream.ts
import { codecs, parseCid, Timestamp, type PinInfo } from '@cluster/api'
import { loopbackNode } from '@cluster/test-utils'
import { RpcServer, json, streaming } from '@cluster/rpc'
import { GoRpcServer, callGo, goMethods } from '@cluster/gorpc'
import { summarize, writeResults } from '../../../scripts/lib/bench-results.ts'

const N = Number(process.env.BENCH_ITEMS ?? 30_000)
const StatusAll = streaming('PinTracker.StatusAll', 'open', json((v): v is number => typeof v === 'number'), codecs.pinInfo)
const info: PinInfo = {
  cid: parseCid('bafybeiffd3lbj7yhtdcstalnjfhpmgg37obes2zrgejyo5mfgni2s4yipa'), name: 'bench', peer: '12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR' as PinInfo['peer'],
  allocations: [], origins: [], created: Timestamp.now(), metadata: null, peername: 'peer0', ipfsPeerId: undefined,
  ipfsPeerAddresses: [], status: 'pinned', timestamp: Timestamp.now(), error: '', attemptCount: 0, priorityPin: false
}
const [a, b] = await Promise.all([loopbackNode(), loopbackNode()])
await a.peerStore.merge(b.peerId, { multiaddrs: b.getMultiaddrs() })
const rpc = new RpcServer({ self: b.peerId.toString() })
  .implement(StatusAll, async function * () { for (let i = 0; i < N; i++) yield info })
await new GoRpcServer(rpc).bridge(goMethods.trackerStatusAll, StatusAll.name).listen(b)
const rates: number[] = []
for (let run = 0; run < 3; run++) {
  const start = performance.now()
  let count = 0
  for await (const _ of callGo(a, b.peerId.toString(), goMethods.trackerStatusAll, [1], () => AbortSignal.timeout(120_000))) count++
  if (count !== N) throw new Error(`got ${count} of ${N} items`)
  rates.push(count / ((performance.now() - start) / 1000))
}
writeResults('gorpc-stream', [summarize(`Go's PinTracker.StatusAll as we serve it: ${N} PinInfo items between two loopback peers`, 'items/s', rates)])
await Promise.all([a.stop(), b.stop()])
