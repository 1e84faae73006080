// A mixed CRDT cluster (consensus-crdt.md §11): a Go ipfs-cluster-service v1.1.6 peer and our
// daemon, one secret, loopback, a real Kubo each. The pinset travels both ways (gossipsub heads +
// bitswap blocks), metrics both ways (Go's msgpack), so each peer is a member of the other's
// peerset and an allocation target; peer RPC both ways over Go's go-libp2p-gorpc protocol (peers
// ls, status, health graph, adds that stream blocks across, joins), checked with Go's ctl and both
// REST APIs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KuboDaemon, runGoCtl, until } from '@cluster/test-utils'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Message } from '@libp2p/gossipsub'
import { peerIdFromString } from '@libp2p/peer-id'
import { LocalCluster, type LocalPeer } from '../dev/local-cluster.ts'
import { createHost } from '../src/cluster/host.ts'
import { decodeMetricMsgpack, encodeMetricMsgpack } from '../src/cluster/metric-msgpack.ts'
import { ensureGoService, GoPeer, goServiceUnavailable } from './helpers/go-peer.ts'

/** LocalCluster whose readiness does not count peers (the Go peer joins the peerset too). */
class MixedCluster extends LocalCluster {
  override async waitReady (peers: LocalPeer[], timeoutMs = 90_000): Promise<void> {
    for (const p of peers) {
      await until(async () => {
        if (p.daemon?.exitCode !== null && p.daemon?.exitCode !== undefined) throw new Error(`peer${p.index} exited: see ${p.folder}/daemon.log`)
        return (await fetch(`${p.restUrl}/id`, { signal: AbortSignal.timeout(2_000) })).ok ? true : undefined
      }, `peer${p.index} up (${p.folder}/daemon.log)`, timeoutMs)
    }
  }
}

interface Target { restApi: string, restUrl: string }

const ctl = async (peer: Target, ...args: string[]) => await runGoCtl(['--host', peer.restApi, ...args])

async function blockOn (kubo: KuboDaemon, text: string): Promise<string> {
  const form = new FormData()
  form.append('file', new Blob([`${text} ${Date.now()} ${Math.random()}`]))
  return (await kubo.rpc<{ Key: string }>('block/put', { 'cid-codec': 'raw' }, form)).Key
}

/** Whether a Kubo holds a block itself (not fetching it from the network). */
async function kuboHas (kubo: KuboDaemon, cid: string): Promise<boolean> {
  try {
    await kubo.rpc('block/stat', { arg: cid, offline: 'true' })
    return true
  } catch {
    return false
  }
}

async function kuboPinned (kubo: KuboDaemon, cid: string): Promise<boolean> {
  try {
    const ls = await kubo.rpc<{ Keys?: Record<string, unknown> }>('pin/ls', { arg: cid, type: 'recursive' })
    return ls.Keys?.[cid] !== undefined
  } catch {
    return false
  }
}

/** Pins in a peer's state (GET /allocations, the same on Go and ours): cid → name. */
async function pinset (peer: Target): Promise<Map<string, string>> {
  const res = await fetch(`${peer.restUrl}/allocations`)
  const text = res.status === 204 ? '' : await res.text()
  const pins = text.split('\n').filter(l => l !== '').map(l => JSON.parse(l) as { cid: string, name: string })
  return new Map(pins.map(p => [p.cid, p.name]))
}

async function allocationsOf (peer: Target, cid: string): Promise<string[]> {
  const res = await fetch(`${peer.restUrl}/allocations/${cid}`)
  if (res.status !== 200) return []
  return ((await res.json()) as { allocations: string[] | null }).allocations ?? []
}

/** Waits until `peer`'s state holds every CID of `present` and none of `absent`. */
async function waitPinset (peer: Target, present: Iterable<string>, absent: Iterable<string>, what: string, ms = 30_000): Promise<Map<string, string>> {
  return await until(async () => {
    const s = await pinset(peer)
    for (const c of present) if (!s.has(c)) return undefined
    for (const c of absent) if (s.has(c)) return undefined
    return s
  }, what, ms, 300)
}

/** Peer IDs with a valid `name` metric, as `peer`'s `health metrics <name>` (Go's ctl, --enc json) lists them. */
async function metricPeers (peer: Target, name: string): Promise<string[]> {
  const out = await ctl(peer, '--enc', 'json', 'health', 'metrics', name)
  if (out.code !== 0) throw new Error(out.stderr)
  return (JSON.parse(out.stdout) as Array<{ peer: string }> | null ?? []).map(m => m.peer)
}

// Skipped only on a machine with neither the Go service nor a Go toolchain to build it.
const noGo = goServiceUnavailable()
if (noGo !== undefined) console.warn(`crdt-go-interop skipped: ${noGo}`)

describe.skipIf(noGo !== undefined)('CRDT interop: a Go ipfs-cluster-service v1.1.6 peer and a TypeScript peer', () => {
  let base = ''
  let go: GoPeer
  let cluster: MixedCluster
  let ts: LocalPeer
  const secret = randomBytes(32).toString('hex')

  // The first run on a machine builds Go's service (the ctl's module is already downloaded).
  beforeAll(async () => { await ensureGoService() }, 600_000)

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'crdt-go-interop-'))
    go = new GoPeer({ folder: join(base, 'go-a'), secret, name: 'go-a' })
    await go.start()
    cluster = new MixedCluster({
      base: join(base, 'ts'),
      peers: 1,
      consensus: 'crdt',
      configure: c => {
        c.cluster.secret = secret
        c.cluster.peer_addresses = [go.clusterAddress]
        c.cluster.monitor_ping_interval = '2s'
        c.monitor.pubsubmon.check_interval = '1s'
        c.consensus.crdt.rebroadcast_interval = '2s'
        c.consensus.crdt.trusted_peers = ['*']
      }
    })
    await cluster.start()
    ts = cluster.peers[0] as LocalPeer
    await ts.kubo!.connect(go.kubo!)
  }, 150_000)

  afterAll(async () => {
    await cluster?.stop()
    await go?.stop(true)
    if (base !== '' && process.env.KEEP_TEST_DIRS === undefined) rmSync(base, { recursive: true, force: true })
  }, 60_000)

  it('T1: each peer has the other\'s ping (Go msgpack both ways) and counts it in its peerset', async () => {
    await until(async () => (await metricPeers(go, 'ping')).includes(ts.id) ? true : undefined, 'Go has our ping', 30_000, 500)
    await until(async () => (await metricPeers(ts, 'ping')).includes(go.id) ? true : undefined, 'we have Go\'s ping', 30_000, 500)
    // Informer metrics too: what allocation reads on both sides.
    await until(async () => (await metricPeers(go, 'freespace')).includes(ts.id) ? true : undefined, 'Go has our freespace', 30_000, 500)
    await until(async () => (await metricPeers(ts, 'freespace')).includes(go.id) ? true : undefined, 'we have Go\'s freespace', 30_000, 500)

    const ourId = await (await fetch(`${ts.restUrl}/id`)).json() as { cluster_peers: string[] }
    expect(ourId.cluster_peers).toEqual(expect.arrayContaining([go.id, ts.id]))
    // Go's peers ls: its peerset (from our pings) holds us, and its Cluster.IDStream call to us
    // (Go's RPC protocol) gets our ID: name, addresses, peers, IPFS daemon.
    const goPeers = await ctl(go, 'peers', 'ls')
    expect(goPeers.code).toBe(0)
    expect(goPeers.stdout).toMatch(new RegExp(`${ts.id} \\| peer0 \\| Sees 1 other peers`))
    const res = await fetch(`${go.restUrl}/peers`)
    const entries = (await res.text()).split('\n').filter(l => l !== '').map(l => JSON.parse(l) as Record<string, unknown> & { id: string, error: string })
    expect(entries.map(e => e.id).sort()).toEqual([go.id, ts.id].sort())
    const ourEntry = entries.find(e => e.id === ts.id)
    const ourRest = await (await fetch(`${ts.restUrl}/id`)).json() as Record<string, unknown> & { ipfs: { id: string } }
    expect(ourEntry?.error).toBe('')
    expect(ourEntry).toMatchObject({ peername: 'peer0', version: ourRest.version, rpc_protocol_version: '/ipfscluster/1.0/rpc', ipfs: { id: ourRest.ipfs.id } })
    expect(ourEntry?.addresses).toEqual(ourRest.addresses)
    expect(ourEntry?.cluster_peers).toEqual(expect.arrayContaining([go.id, ts.id]))
    expect(entries.find(e => e.id === go.id)?.error).toBe('')
    // Ours the other way round: our Cluster.ID call to the Go peer goes over Go's protocol.
    const ourPeers = (await (await fetch(`${ts.restUrl}/peers`)).text()).split('\n').filter(l => l !== '').map(l => JSON.parse(l) as Record<string, unknown> & { id: string, error: string })
    expect(ourPeers.map(e => e.id).sort()).toEqual([go.id, ts.id].sort())
    const goEntry = ourPeers.find(e => e.id === go.id)
    const goRest = await (await fetch(`${go.restUrl}/id`)).json() as Record<string, unknown>
    expect(goEntry).toEqual(goRest)
    const ourCtlPeers = await ctl(ts, 'peers', 'ls')
    expect(ourCtlPeers.stdout).toMatch(new RegExp(`${go.id} \\| go-a \\| Sees 1 other peers`))
    // Go decoded every field of our ping: its value (a JSON object) names our peer.
    const goPings = await (await fetch(`${go.restUrl}/monitor/metrics/ping`)).json() as Array<{ peer: string, value: string, valid: boolean, expire: number }>
    const ourPing = goPings.find(m => m.peer === ts.id)
    expect(ourPing?.valid).toBe(true)
    expect(JSON.parse(ourPing?.value ?? '{}')).toMatchObject({ peer_name: 'peer0' })
  }, 120_000)

  it('Go\'s metrics off the wire: a bare gossipsub subscriber decodes them and re-encodes the same bytes', async () => {
    // A listener on the cluster network (same secret), subscribed to monitor.metrics only.
    const host = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], secret, peers: [go.clusterAddress] })
    try {
      const captured = new Map<string, Uint8Array>()
      host.services.pubsub.addEventListener('message', (evt: CustomEvent<Message>) => {
        const msg = evt.detail
        if (msg.topic !== 'monitor.metrics' || msg.type !== 'signed' || msg.from.toString() !== go.id) return
        captured.set(decodeMetricMsgpack(msg.data).name, msg.data)
      })
      host.services.pubsub.subscribe('monitor.metrics')
      await host.dial(peerIdFromString(go.id))
      const ping = await until(() => captured.get('ping'), 'a ping from Go on the wire', 60_000, 200)
      const freespace = await until(() => captured.get('freespace'), 'a freespace from Go on the wire', 60_000, 200)
      for (const bytes of [ping, freespace]) {
        const metric = decodeMetricMsgpack(bytes)
        expect(metric.peer).toBe(go.id)
        expect(metric.valid).toBe(true)
        expect(metric.receivedAt).toBe(0n) // senders leave `t` out
        expect(Buffer.from(encodeMetricMsgpack(metric)).toString('hex')).toBe(Buffer.from(bytes).toString('hex'))
      }
      expect(JSON.parse(decodeMetricMsgpack(ping).value)).toMatchObject({ peer_name: 'go-a' })
    } finally {
      await host.stop()
    }
  }, 120_000)

  it('T2: pins added through Go\'s REST API (Go ctl) reach our state with their names', async () => {
    const cids: string[] = []
    for (let i = 0; i < 10; i++) {
      const cid = await blockOn(go.kubo!, `go pin ${i}`)
      const added = await ctl(go, 'pin', 'add', '--no-status', '--name', `go-${i}`, cid)
      expect(added.code, added.stderr).toBe(0)
      cids.push(cid)
    }
    const ours = await waitPinset(ts, cids, [], 'Go\'s pins in our state')
    for (const [i, cid] of cids.entries()) expect(ours.get(cid)).toBe(`go-${i}`)
    expect((await ctl(ts, 'pin', 'ls', cids[4] as string)).stdout).toContain('go-4')
    // Pinned everywhere by default: our Kubo fetches the blocks from Go's.
    const cid = cids[0] as string
    await until(async () => await kuboPinned(ts.kubo!, cid) ? true : undefined, 'Go\'s pin pinned by our Kubo', 60_000)
  }, 120_000)

  it('T3: pins through our REST API, single and batched, reach Go\'s state with our names', async () => {
    const single: string[] = []
    for (let i = 0; i < 5; i++) {
      const cid = await blockOn(ts.kubo!, `ts pin ${i}`)
      const res = await fetch(`${ts.restUrl}/pins/${cid}?name=ts-${i}`, { method: 'POST' })
      expect(res.status).toBe(200)
      single.push(cid)
    }
    const batch: string[] = []
    for (let i = 0; i < 10; i++) batch.push(await blockOn(ts.kubo!, `ts batch ${i}`))
    const res = await fetch(`${ts.restUrl}/pins`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch.map((cid, i) => ({ cid, name: `ts-batch-${i}` }))) })
    expect(res.status).toBe(200)
    expect((await res.text()).split('\n').filter(l => l !== '')).toHaveLength(10)

    const goState = await waitPinset(go, [...single, ...batch], [], 'our pins in Go\'s state')
    for (const [i, cid] of single.entries()) expect(goState.get(cid)).toBe(`ts-${i}`)
    for (const [i, cid] of batch.entries()) expect(goState.get(cid)).toBe(`ts-batch-${i}`)
    const ls = await ctl(go, 'pin', 'ls', batch[3] as string)
    expect(ls.stdout).toContain('ts-batch-3')
    // Go's tracker pins them: Go's Kubo fetches the blocks from ours.
    const cid = single[0] as string
    await until(async () => await kuboPinned(go.kubo!, cid) ? true : undefined, 'our pin pinned by Go\'s Kubo', 60_000)
  }, 120_000)

  it('T3b: allocation across implementations: replication 2 on either side allocates to both peers', async () => {
    const viaGo = await blockOn(go.kubo!, 'go replicated')
    expect((await ctl(go, 'pin', 'add', '--no-status', '--replication', '2', '--name', 'go-r2', viaGo)).code).toBe(0)
    const viaTs = await blockOn(ts.kubo!, 'ts replicated')
    expect((await fetch(`${ts.restUrl}/pins/${viaTs}?name=ts-r2&replication=2`, { method: 'POST' })).status).toBe(200)
    for (const peer of [go, ts]) {
      for (const cid of [viaGo, viaTs]) {
        const allocations = await until(async () => { const a = await allocationsOf(peer, cid); return a.length > 0 ? a : undefined }, `allocations of ${cid}`, 30_000)
        expect(allocations.sort()).toEqual([go.id, ts.id].sort())
      }
    }
  }, 120_000)

  it('T4: unpins on both sides remove exactly those pins on both', async () => {
    const before = await pinset(go)
    const goNamed = [...before].filter(([, n]) => n.startsWith('go-') && n !== 'go-r2').map(([c]) => c).slice(0, 3)
    const tsNamed = [...before].filter(([, n]) => n.startsWith('ts-batch-')).map(([c]) => c).slice(0, 3)
    expect(goNamed).toHaveLength(3)
    expect(tsNamed).toHaveLength(3)
    for (const cid of goNamed) expect((await ctl(go, 'pin', 'rm', '--no-status', cid)).code).toBe(0)
    for (const cid of tsNamed) expect((await fetch(`${ts.restUrl}/pins/${cid}`, { method: 'DELETE' })).status).toBe(200)
    const gone = [...goNamed, ...tsNamed]
    const kept = [...before.keys()].filter(c => !gone.includes(c))
    for (const peer of [go, ts]) await waitPinset(peer, kept, gone, `the unpins on ${peer === go ? 'Go' : 'ours'}`)
    expect([...(await pinset(ts)).keys()].sort()).toEqual([...(await pinset(go)).keys()].sort())
  }, 120_000)

  it('status: each side\'s status fan-out gets the other\'s status over Go\'s RPC', async () => {
    type Global = { cid: string, peer_map: Record<string, Record<string, unknown>> }
    const global = async (peer: Target, path: string): Promise<Global> => await (await fetch(`${peer.restUrl}${path}`)).json() as Global
    const lines = async (peer: Target, path: string): Promise<Global[]> => (await (await fetch(`${peer.restUrl}${path}`)).text()).split('\n').filter(l => l !== '').map(l => JSON.parse(l) as Global)
    /** One peer's entry as another peer's fan-out shows it, against that peer's own (times in UTC there). */
    const expectSameEntry = (seen: Record<string, unknown> | undefined, own: Record<string, unknown> | undefined): void => {
      const { timestamp: seenTs, ...seenRest } = seen ?? {}
      const { timestamp: ownTs, ...ownRest } = own ?? {}
      expect(seenRest).toEqual(ownRest)
      expect(Date.parse(seenTs as string)).toBe(Date.parse(ownTs as string))
    }
    const cid = [...(await pinset(go)).keys()][0] as string
    for (const [asker, other] of [[go, ts], [ts, go]] as const) {
      const seen = await global(asker, `/pins/${cid}`)
      expect(seen.peer_map[asker.id]?.status).not.toBe('cluster_error')
      // Every field of the other peer's PinInfo crossed: what its own REST API shows.
      expectSameEntry(seen.peer_map[other.id], (await global(other, `/pins/${cid}?local=true`)).peer_map[other.id])
      // StatusAll (GET /pins streams PinTracker.StatusAll from every peer): the other peer is in it.
      const all = await lines(asker, '/pins')
      expect(all.length).toBe((await pinset(asker)).size)
      for (const g of all) expect(g.peer_map[other.id]?.status, g.cid).not.toBe('cluster_error')
      // The filter travels: the other peer sends only its pinned entries.
      const pinned = await lines(asker, '/pins?filter=pinned')
      expect(pinned.some(g => g.peer_map[other.id]?.status === 'pinned')).toBe(true)
      for (const g of pinned) expect(g.peer_map[other.id]?.status ?? 'pinned', g.cid).toBe('pinned')
    }
    // Our search's statuses (GET /pins?name-prefix=…): the Go peer's come from its StatusAll, kept to the page.
    const found = await lines(ts, '/pins?name-prefix=go-')
    expect(found.map(g => g.cid).sort()).toEqual([...(await pinset(ts))].filter(([, name]) => name.startsWith('go-')).map(([c]) => c).sort())
    for (const g of found) expect(g.peer_map[go.id]?.status, g.cid).not.toBe('cluster_error')
  }, 60_000)

  it('recover and ipfs gc from either side reach both peers (PinTracker.Recover, Cluster.RecoverAllLocal, Cluster.RepoGCLocal over Go\'s RPC)', async () => {
    let cid = ''
    for (const c of (await pinset(ts)).keys()) if ((await allocationsOf(ts, c)).length === 0) { cid = c; break }
    for (const peer of [go, ts]) {
      const one = await (await fetch(`${peer.restUrl}/pins/${cid}/recover`, { method: 'POST' })).json() as { peer_map: Record<string, { status: string, error: string }> }
      for (const id of [go.id, ts.id]) expect(one.peer_map[id]?.status, `${id} in ${peer === go ? 'Go\'s' : 'our'} recover`).not.toBe('cluster_error')
      const all = (await (await fetch(`${peer.restUrl}/pins/recover`, { method: 'POST' })).text()).split('\n').filter(l => l !== '').map(l => JSON.parse(l) as { peer_map: Record<string, { status: string }> })
      for (const g of all) for (const [id, e] of Object.entries(g.peer_map)) expect(e.status, `${id} in recover all`).not.toBe('cluster_error')
      const gc = await ctl(peer, '--enc', 'json', 'ipfs', 'gc')
      expect(gc.code, gc.stderr).toBe(0)
      const byPeer = (JSON.parse(gc.stdout) as { peer_map: Record<string, { error?: string }> }).peer_map
      expect(Object.keys(byPeer).sort()).toEqual([go.id, ts.id].sort())
      for (const e of Object.values(byPeer)) expect(e.error ?? '').toBe('')
    }
  }, 90_000)

  it('health graph on either side links both peers and their Kubos (Cluster.Peers, IPFSConnector.SwarmPeers over Go\'s RPC)', async () => {
    interface Graph { cluster_links: Record<string, string[]>, ipfs_links: Record<string, string[]>, cluster_to_ipfs: Record<string, string>, id_to_peername: Record<string, string> }
    const ourIpfs = ((await (await fetch(`${ts.restUrl}/id`)).json()) as { ipfs: { id: string } }).ipfs.id
    const goIpfs = ((await (await fetch(`${go.restUrl}/id`)).json()) as { ipfs: { id: string } }).ipfs.id
    for (const peer of [go, ts]) {
      const g = await (await fetch(`${peer.restUrl}/health/graph`)).json() as Graph
      expect(g.cluster_links[ts.id], peer === go ? 'Go\'s graph' : 'ours').toContain(go.id)
      expect(g.cluster_links[go.id], peer === go ? 'Go\'s graph' : 'ours').toContain(ts.id)
      expect(g.cluster_to_ipfs).toMatchObject({ [ts.id]: ourIpfs, [go.id]: goIpfs })
      expect(g.ipfs_links[ourIpfs]).toContain(goIpfs)
      expect(g.ipfs_links[goIpfs]).toContain(ourIpfs)
    }
  }, 60_000)

  it('adds across implementations: an adder streams blocks to the allocated peer over Go\'s RPC (IPFSConnector.BlockStream), both ways', async () => {
    const dir = mkdtempSync(join(base, 'add-'))
    /** Adds a new random file through `through` (Go's ctl), allocated to `target` alone; its CID once `target`'s Kubo pinned it. */
    const addAllocatedTo = async (through: Target, target: Target & { id: string, kubo?: KuboDaemon }, other: { kubo?: KuboDaemon }, name: string): Promise<string> => {
      const file = join(dir, name)
      writeFileSync(file, randomBytes(600_000))
      const added = await ctl(through, 'add', '--quieter', '--rmin', '1', '--rmax', '1', '--allocations', target.id, '--name', name, file)
      expect(added.code, added.stderr).toBe(0)
      const cid = added.stdout.trim()
      expect(await allocationsOf(through, cid)).toEqual([target.id])
      await until(async () => await kuboPinned(target.kubo!, cid) ? true : undefined, `${name} pinned by the allocated peer's Kubo`, 60_000)
      // The adding peer's Kubo never held the blocks: the allocated one got them only from the stream.
      expect(await kuboHas(target.kubo!, cid)).toBe(true)
      expect(await kuboHas(other.kubo!, cid)).toBe(false)
      return cid
    }
    // Go's adder allocating to our peer alone, and ours (Go's ctl against our REST API) to Go's.
    await addAllocatedTo(go, ts, go, 'go-added')
    const cidB = await addAllocatedTo(ts, go, ts, 'ts-added')
    // Go decoded every announcement of ours: blocks we carry with them must not make it drop one.
    expect(go.log()).not.toMatch(/crdt\.go.*(invalid cid|legacy)/)
    const status = await ctl(go, 'status', cidB)
    expect(status.stdout).toMatch(new RegExp(`go-a\\s*: PINNED`))
  }, 150_000)

  it('a Go peer paused (SIGSTOP): our status of a CID gives its entry as cluster_error after the fan-out timeout, ours intact; it answers again once resumed', async () => {
    // A pin allocated everywhere (no allocations): the Go peer is asked for its status.
    let cid = ''
    for (const c of (await pinset(ts)).keys()) if ((await allocationsOf(ts, c)).length === 0) { cid = c; break }
    expect(cid).not.toBe('')
    go.daemon?.kill('SIGSTOP')
    try {
      const started = Date.now()
      const res = await fetch(`${ts.restUrl}/pins/${cid}`, { signal: AbortSignal.timeout(40_000) })
      const elapsed = Date.now() - started
      const status = await res.json() as { peer_map: Record<string, { status: string, error: string }> }
      expect(res.status).toBe(200)
      expect(status.peer_map[ts.id]?.status).not.toBe('cluster_error')
      expect(status.peer_map[go.id]?.status).toBe('cluster_error')
      // Bounded by the fan-out timeout (15 s), not by the pause.
      expect(elapsed).toBeLessThan(20_000)
    } finally {
      go.daemon?.kill('SIGCONT')
    }
    await until(async () => {
      const again = await (await fetch(`${ts.restUrl}/pins/${cid}`)).json() as { peer_map: Record<string, { status: string }> }
      return again.peer_map[go.id]?.status !== 'cluster_error' ? true : undefined
    }, 'the Go peer answering again', 30_000, 500)
    // Its metrics expired during the pause; allocations count it again once they are fresh.
    for (const name of ['ping', 'freespace']) {
      await until(async () => (await metricPeers(ts, name)).includes(go.id) ? true : undefined, `a fresh ${name} from Go`, 60_000, 500)
    }
  }, 150_000)

  it('T5: a new TS peer with an empty store catches up from Go alone', async () => {
    // Go merges our last writes with a delay: once it has every pin of ours, ours can leave.
    const sorted = async (peer: Target): Promise<string> => JSON.stringify([...(await pinset(peer))].sort())
    await until(async () => await sorted(go) === await sorted(ts) ? true : undefined, 'Go to hold every pin of ours', 60_000)
    const want = await pinset(go)
    await cluster.kill(0)
    const fresh = await cluster.addPeer(c => {
      c.cluster.peer_addresses = [go.clusterAddress]
      c.cluster.monitor_ping_interval = '2s'
      c.consensus.crdt.rebroadcast_interval = '2s'
      c.consensus.crdt.trusted_peers = ['*']
    })
    await cluster.waitReady([fresh])
    const got = await waitPinset(fresh, [...want.keys()], [], 'the new TS peer\'s state', 60_000)
    expect([...got].sort()).toEqual([...want].sort())
    ts = fresh
  }, 120_000)

  it('T6: a new Go peer catches up from our peer alone', async () => {
    const want = await pinset(ts)
    await go.stop()
    const goB = new GoPeer({ folder: join(base, 'go-b'), secret, name: 'go-b', peerAddresses: [`/ip4/127.0.0.1/tcp/${ts.clusterPort}/p2p/${ts.id}`] })
    try {
      await goB.start()
      const got = await waitPinset(goB, [...want.keys()], [], 'the new Go peer\'s state', 60_000)
      expect([...got].sort()).toEqual([...want].sort())
      const ls = await ctl(goB, 'pin', 'ls')
      for (const cid of want.keys()) expect(ls.stdout).toContain(cid)
    } finally {
      await goB.stop(true)
    }
  }, 150_000)

  it('joins across implementations: a Go peer bootstraps to ours, and ours to a Go peer (Cluster.PeerAdd over Go\'s RPC)', async () => {
    const want = await pinset(ts)
    const goC = new GoPeer({ folder: join(base, 'go-c'), secret, name: 'go-c', bootstrap: [`/ip4/127.0.0.1/tcp/${ts.clusterPort}/p2p/${ts.id}`] })
    let tsB: LocalPeer | undefined
    try {
      await goC.start()
      await until(async () => goC.log().includes('Bootstrapping to') ? true : undefined, 'Go\'s bootstrap', 30_000, 300)
      // Go trusts the peer it bootstrapped to and takes the pinset from it.
      const got = await waitPinset(goC, [...want.keys()], [], 'the bootstrapped Go peer\'s state', 60_000)
      expect([...got].sort()).toEqual([...want].sort())
      expect(goC.log()).not.toMatch(/bootstrap to .* failed/)
      // Go's peers ls shows ours with its name (Cluster.IDStream).
      await until(async () => (await ctl(goC, 'peers', 'ls')).stdout.includes(`${ts.id} | peer`) ? true : undefined, 'Go\'s peers ls shows ours', 30_000, 500)

      // Ours bootstraps to the Go peer: our join asks it Cluster.PeerAdd, then trusts it.
      tsB = await cluster.addPeer(c => {
        c.cluster.peer_addresses = []
        c.cluster.monitor_ping_interval = '2s'
        c.consensus.crdt.rebroadcast_interval = '2s'
        c.consensus.crdt.trusted_peers = []
      }, ['--bootstrap', goC.clusterAddress])
      await cluster.waitReady([tsB])
      const ours = await waitPinset(tsB, [...want.keys()], [], 'our bootstrapped peer\'s state', 60_000)
      expect([...ours].sort()).toEqual([...want].sort())
      // With CRDT the peerset comes from pings: the Go peer is listed once its first ping arrived.
      const peerB = tsB
      const goEntry = await until(async () => {
        const peersOfB = (await (await fetch(`${peerB.restUrl}/peers`)).text()).split('\n').filter(l => l !== '').map(l => JSON.parse(l) as { id: string, error: string, peername: string })
        return peersOfB.find(p => p.id === goC.id)
      }, 'the Go peer in our bootstrapped peer\'s peers ls', 30_000, 500)
      expect(goEntry).toMatchObject({ error: '', peername: 'go-c' })
    } finally {
      if (tsB !== undefined) await cluster.kill(tsB.index)
      await goC.stop(true)
    }
  }, 180_000)
})
