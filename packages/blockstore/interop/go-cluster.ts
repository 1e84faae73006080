// Interoperability check against a real Go ipfs-cluster-service v1.1.6 in CRDT mode, over the
// cluster secret. Not part of the test suite: the Go daemon is a benchmark-group tool. Run with
//   bash scripts/install-go-tools.sh --group bench        (once; builds .cache/gobin/ipfs-cluster-service)
//   source scripts/env.sh && cd packages/blockstore && node --conditions=source interop/go-cluster.ts
// It uses loopback TCP ports 29194-29197. Checks, in order:
//   Go → TS: a pin made on the Go peer is announced on the CRDT topic (signed by Go, accepted by
//            our trust validator); we fetch its head block from Go over bitswap and decode it.
//   TS → Go: a delta block we make on top of Go's head is announced by us (signed by us, Go's
//            message IDs) and fetched by Go from us over bitswap; Go's `pin ls` then lists it.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { preSharedKey } from '@cluster/pnet'
import { KuboDaemon, runGoCtl, until } from '@cluster/test-utils'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { sha256 } from 'multiformats/hashes/sha2'
import { decodeBroadcast, decodeBlock, encodeBroadcast, makeBlock, stateKey, toV1DagPb } from '@cluster/crdt'
import { BlockExchange, HeadsBroadcaster, SqliteBlockstore, clusterGossipsubOptions } from '../src/index.ts'
import { rawBlock } from '../test/helpers.ts'

const GO = join(process.env.CLUSTER_GOBIN ?? join(import.meta.dirname, '..', '..', '..', '.cache', 'gobin'), 'ipfs-cluster-service')

function check (ok: boolean, what: string): void {
  if (!ok) throw new Error(`interop check failed: ${what}`)
  console.log(`ok: ${what}`)
}

const secret = randomBytes(32).toString('hex')
const dir = await mkdtemp(join(tmpdir(), 'go-interop-'))
const cleanup: Array<() => Promise<void> | void> = [async () => { await rm(dir, { recursive: true, force: true }) }]
try {
  const kubo = await KuboDaemon.start()
  cleanup.push(async () => { await kubo.stop() })
  const env = {
    ...process.env, IPFS_CLUSTER_PATH: join(dir, 'go'), CLUSTER_SECRET: secret,
    CLUSTER_LISTENMULTIADDRESS: '/ip4/127.0.0.1/tcp/29196',
    CLUSTER_RESTAPI_HTTPLISTENMULTIADDRESS: '/ip4/127.0.0.1/tcp/29194',
    CLUSTER_IPFSPROXY_LISTENMULTIADDRESS: '/ip4/127.0.0.1/tcp/29195',
    CLUSTER_PINSVCAPI_HTTPLISTENMULTIADDRESS: '/ip4/127.0.0.1/tcp/29197',
    CLUSTER_IPFSHTTP_NODEMULTIADDRESS: kubo.apiMultiaddr,
    CLUSTER_MDNSINTERVAL: '0s', CLUSTER_CRDT_REBROADCASTINTERVAL: '3s'
  }
  await new Promise<void>((resolve, reject) => {
    const init = spawn(GO, ['init', '--consensus', 'crdt', '--datastore', 'pebble', '--force'], { env, stdio: 'ignore' })
    init.on('error', reject)
    init.on('exit', code => { code === 0 ? resolve() : reject(new Error(`ipfs-cluster-service init exited with ${code}`)) })
  })
  const goId = (JSON.parse(await readFile(join(dir, 'go', 'identity.json'), 'utf8')) as { id: string }).id
  const go = spawn(GO, ['daemon'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  const exited = new Promise(resolve => go.once('exit', resolve))
  cleanup.push(async () => { process.kill(-(go.pid ?? 0), 'SIGTERM'); await exited })
  let goLog = ''
  go.stdout.on('data', (d: Buffer) => { goLog += d.toString() })
  go.stderr.on('data', (d: Buffer) => { goLog += d.toString() })
  await until(() => goLog.includes('IPFS Cluster is READY') ? true : undefined, 'the Go peer is ready', 60_000)

  const psk = new TextEncoder().encode(`/key/swarm/psk/1.0.0/\n/base16/\n${secret}`)
  const node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionProtector: preSharedKey({ psk }),
    services: { identify: identify(), pubsub: gossipsub(clusterGossipsubOptions()) }
  })
  const store = SqliteBlockstore.open(join(dir, 'ts-blocks.db'))
  const exchange = new BlockExchange({ libp2p: node, blockstore: store, fetchTimeoutMs: 20_000 })
  await exchange.start()
  const heads = new HeadsBroadcaster({ pubsub: node.services.pubsub, self: node.peerId, clusterName: 'ipfs-cluster', isTrusted: p => p.toString() === goId, deliverOwn: false })
  heads.start()
  cleanup.push(async () => { heads.stop(); await exchange.stop(); await node.stop(); store.close() })
  await node.dial(multiaddr(`/ip4/127.0.0.1/tcp/29196/p2p/${goId}`), { signal: AbortSignal.timeout(10_000) })

  const ctl = async (...args: string[]): Promise<{ code: number, stdout: string }> => await runGoCtl(['--host', '/ip4/127.0.0.1/tcp/29194', ...args])
  const x1 = (await rawBlock(100, 901)).cid
  check((await ctl('pin', 'add', '--no-status', x1.toString())).code === 0, `Go pins ${x1.toString()}`)

  // Go → TS
  const payload = await heads.next({ signal: AbortSignal.timeout(30_000) })
  const [goHead] = decodeBroadcast(payload).map(toV1DagPb)
  check(goHead !== undefined, 'a CRDTBroadcast signed by Go arrives on the CRDT topic')
  if (goHead === undefined) throw new Error('unreachable')
  const goBytes = await exchange.getBlock(goHead, { timeoutMs: 20_000 })
  check(Buffer.from((await sha256.digest(goBytes)).bytes).equals(goHead.multihash.bytes), `Go's head block ${goHead.toString()} is fetched over bitswap`)
  const goNode = await decodeBlock(goHead, goBytes)
  check(goNode.delta.elements.some(e => e.key === stateKey(x1)), 'it carries the pin\'s state key')

  // TS → Go: Go's value with the CID swapped for x2, in a delta on top of Go's head.
  const x2 = (await rawBlock(100, 902)).cid
  const value = Uint8Array.from(goNode.delta.elements[0]?.value ?? [])
  value.set(x2.bytes, Buffer.from(value).indexOf(Buffer.from(x1.bytes)))
  const block = await makeBlock({ elements: [{ key: stateKey(x2), id: '', value }], tombstones: [], priority: goNode.delta.priority + 1 }, [goHead])
  await exchange.putBlock(block.cid, block.bytes)
  await heads.broadcast(encodeBroadcast([block.cid]))
  const listed = await until(async () => {
    const ls = await ctl('pin', 'ls')
    return ls.stdout.includes(x2.toString()) ? ls.stdout : undefined
  }, 'Go lists the pin written here', 30_000)
  check(listed.includes(x1.toString()), `Go fetched our block ${block.cid.toString()} over bitswap and lists both pins`)
} finally {
  for (const step of cleanup.reverse()) await step()
}
