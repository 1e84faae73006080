// The main job (`npm start`): a local 3-peer cluster on loopback, each peer an
// `ipfs-cluster-service daemon` process with its own real Kubo. Everything lives under
// .cache/local-cluster/ (`--consensus raft`: .cache/local-cluster-raft/) and survives restarts;
// Ctrl-C stops it. `--once` starts it, pins a block through the REST API, checks it is pinned on
// every peer, and stops.
import { join } from 'node:path'
import { LocalCluster } from '../apps/service/dev/local-cluster.ts'

// CRDT consensus, Go's default, or Raft with `--consensus raft` (each in its own folder: a peer
// never changes mode; a folder made by an older version keeps the mode it has).
const consensusArg = process.argv.includes('--consensus') ? process.argv[process.argv.indexOf('--consensus') + 1] : 'crdt'
if (consensusArg !== 'crdt' && consensusArg !== 'raft') {
  console.error(`--consensus must be crdt or raft, not ${String(consensusArg)}`)
  process.exit(2)
}
const defaultBase = join(import.meta.dirname, '..', '.cache', consensusArg === 'raft' ? 'local-cluster-raft' : 'local-cluster')
// The dashboard is on here (off by default in a peer's config): scripts/main.sh builds its files.
const base = process.env.LOCAL_CLUSTER_DIR ?? defaultBase
const cluster = new LocalCluster({ base, peers: 3, consensus: consensusArg, env: { CLUSTER_RESTAPI_DASHBOARD: 'true' } })
const shutdown = async (code: number): Promise<never> => {
  await cluster.stop()
  process.exit(code)
}
process.once('SIGINT', () => { void shutdown(0) })
process.once('SIGTERM', () => { void shutdown(0) })

try {
  await cluster.start()
} catch (err) {
  console.error((err as Error).message)
  await shutdown(1)
}

console.log(`A local IPFS Cluster of ${cluster.peers.length} peers is running, ${cluster.consensus} consensus (state in ${base}).`)
for (const p of cluster.peers) {
  console.log(`  peer${p.index}  ${p.id}\n         REST API ${p.restApi}   IPFS proxy ${p.proxy}   Kubo ${p.kubo?.apiMultiaddr ?? ''}`)
}
const first = cluster.peers[0]
console.log(`Dashboard: ${first?.restUrl ?? ''}/ui`)
console.log(`Try:  .cache/gobin/ipfs-cluster-ctl --host ${first?.restApi ?? ''} peers ls
      curl -X POST '${first?.restUrl ?? ''}/pins/<cid>?replication=2'`)

if (process.argv.includes('--once')) {
  const [a, b, c] = cluster.peers
  const form = new FormData()
  form.append('file', new Blob([`local cluster check ${new Date().toISOString()}`]))
  const { Key } = await a!.kubo!.rpc<{ Key: string }>('block/put', { 'cid-codec': 'raw' }, form)
  const pinned = await fetch(`${b!.restUrl}/pins/${Key}?name=smoke`, { method: 'POST' })
  let statuses: string[] = []
  for (let i = 0; i < 100 && !(statuses.length === cluster.peers.length && statuses.every(s => s === 'pinned')); i++) {
    await new Promise(resolve => setTimeout(resolve, 200))
    const status = await (await fetch(`${c!.restUrl}/pins/${Key}`)).json() as { peer_map: Record<string, { status: string }> }
    statuses = Object.values(status.peer_map).map(s => s.status)
  }
  const dashboard = (await fetch(`${a!.restUrl}/ui`)).status
  const ok = pinned.status === 200 && statuses.length === cluster.peers.length && statuses.every(s => s === 'pinned') && dashboard === 200
  console.log(`check: pinned ${Key} through peer1, status from peer2: ${statuses.join(', ')}; dashboard of peer0: HTTP ${dashboard} → ${ok ? 'OK' : 'FAILED'}`)
  await shutdown(ok ? 0 : 1)
}
console.log('Press Ctrl-C to stop.')
