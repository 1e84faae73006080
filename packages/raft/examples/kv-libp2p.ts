// A 3-node replicated key-value store over libp2p on loopback, each node with its own SQLite log.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { Libp2pTransport } from '@cluster/raft/libp2p'
import { RaftNode, type StateMachine } from '@cluster/raft/node'
import { SqliteStorage } from '@cluster/raft/sqlite'

// The replicated application: a map, changed only by committed log entries.
class KvStore implements StateMachine<void> {
  readonly data = new Map<string, string>()
  apply (payload: Uint8Array): void {
    const [key, value] = JSON.parse(new TextDecoder().decode(payload)) as [string, string]
    this.data.set(key, value)
  }

  snapshot (): Uint8Array { return new TextEncoder().encode(JSON.stringify([...this.data])) }
  restore (data: Uint8Array): void {
    this.data.clear()
    if (data.length > 0) for (const [k, v] of JSON.parse(new TextDecoder().decode(data))) this.data.set(k, v)
  }
}

const dir = mkdtempSync(join(tmpdir(), 'raft-kv-'))
const hosts = await Promise.all([0, 1, 2].map(async () => await createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()]
})))
// Every host learns the others' addresses (a real deployment has a peerstore or bootstrap list).
for (const a of hosts) for (const b of hosts) if (a !== b) await a.peerStore.merge(b.peerId, { multiaddrs: b.getMultiaddrs() })

const ids = hosts.map(h => h.peerId.toString())
const stores = hosts.map(() => new KvStore())
const nodes = await Promise.all(hosts.map(async (host, i) => new RaftNode(ids[i] as string, {
  storage: new SqliteStorage(join(dir, `node${i}.db`)),
  transport: await Libp2pTransport.create(host),
  stateMachine: stores[i] as KvStore,
  bootstrap: ids
})))
for (const node of nodes) node.start()

while (!nodes.some(n => n.isLeader)) await new Promise(resolve => setTimeout(resolve, 50))
const leader = nodes.find(n => n.isLeader) as RaftNode<void>
await leader.propose(new TextEncoder().encode(JSON.stringify(['hello', 'world'])))

const follower = nodes.find(n => !n.isLeader) as RaftNode<void>
await follower.readBarrier() // a linearizable read on a follower
console.log(`follower reads hello = ${stores[nodes.indexOf(follower)]?.data.get('hello')}`)

await Promise.all(nodes.map(async n => await n.stop()))
await Promise.all(hosts.map(async h => await h.stop()))
rmSync(dir, { recursive: true, force: true })
