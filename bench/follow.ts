// Followers side by side: our `ipfs-cluster-follow` against Go IPFS Cluster v1.1.6's, both as
// users install them (our built bin, Go's binary from .cache/gobin), following the same trusted
// CRDT peer (ours, replication -1, seeded with N pins written as users do: 64 clients of single
// POST /pins, no batching) from the same published configuration, one follower at a time, order alternating,
// each with its own Kubo stand-in (bench/lib/fake-kubo.ts). Per run: a fresh follower started
// with `<name> run --init <url>`; the time until its own API (the Unix socket in its folder)
// lists all N pins in GET /allocations, and until its status lists all N pinned; its peak RSS
// meanwhile; its RSS at rest 20 s later.
// Run: `pnpm bench follow [--quick]` (or `node --conditions=source bench/follow.ts [--quick]
// [--pins N]`); BENCH_SMOKE=1 shrinks everything (results to a temporary folder). Results:
// bench/results/follow-<date>[-quick].{json,md}.
import { execFileSync, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { daemonLauncher } from '../apps/service/dev/node-flags.ts'
import { BenchCluster, type Flavour } from './lib/cluster.ts'
import { FakeKubo } from './lib/fake-kubo.ts'
import { goBin, goFlavour } from './lib/go-cluster.ts'
import { tsFlavour } from './lib/ts-cluster.ts'
import { randomCids } from './lib/cids.ts'
import { pinLoad, sleep } from './lib/load.ts'
import { cleanupAll, installCleanupHandlers, removeTempDir, rssBytes, spawnTracked, stopChild, tempDir } from './lib/processes.ts'
import { fmt, log, perSide, Report, type Side } from './lib/report.ts'

const argv = process.argv.slice(2)
const envOn = (v: string | undefined): boolean => v !== undefined && v !== '' && v !== '0'
const SMOKE = argv.includes('--smoke') || envOn(process.env.BENCH_SMOKE)
const QUICK = SMOKE || argv.includes('--quick') || envOn(process.env.QUICK)
const P = SMOKE
  ? { pins: 200, runs: 1, timeoutMs: 120_000, restMs: 3_000 }
  : QUICK ? { pins: 5_000, runs: 2, timeoutMs: 300_000, restMs: 20_000 } : { pins: 20_000, runs: 3, timeoutMs: 900_000, restMs: 20_000 }
if (argv.includes('--pins')) P.pins = Number(argv[argv.indexOf('--pins') + 1])
/** How often the heads are announced (Go's default is 1 min: a new follower would mostly wait for it). */
const REBROADCAST = '5s'
const MiB = 2 ** 20
const report = new Report('follow', 'Followers side by side: ipfs-cluster-follow, ours vs Go IPFS Cluster v1.1.6', QUICK && !SMOKE)

const launcher = daemonLauncher()
/** The follower program of each side, as installed. */
const followers: Record<Side, { command: string, args: string[] }> = {
  go: { command: join(goBin, 'ipfs-cluster-follow'), args: [] },
  ts: { command: launcher.command, args: [...launcher.args, join(import.meta.dirname, '..', 'apps', 'service', 'bin', 'ipfs-cluster-follow.js')] }
}

/** Number of NDJSON items a GET of `path` on the follower's Unix socket answers; NaN when it does not. */
async function count (socketPath: string, path: string): Promise<number> {
  return await new Promise(resolve => {
    const req = request({ socketPath, path, timeout: 120_000 }, res => {
      if (res.statusCode === 204) { res.resume(); resolve(0); return }
      if (res.statusCode !== 200) { res.resume(); resolve(NaN); return }
      let n = 0
      res.on('data', (chunk: Buffer) => { for (const byte of chunk) if (byte === 10) n++ })
      res.on('end', () => { resolve(n) })
      res.on('error', () => { resolve(NaN) })
    })
    req.on('error', () => { resolve(NaN) })
    req.on('timeout', () => { req.destroy() })
    req.end()
  })
}

interface FollowerRun { listed: number, pinned: number, peakRss: number, restRss: number }

async function followOnce (side: Side, url: string, want: number): Promise<FollowerRun> {
  const root = tempDir(`follow-bench-${side}-`)
  const kubo = new FakeKubo()
  await kubo.start()
  let child: ChildProcess | undefined
  try {
    const f = followers[side]
    const started = performance.now()
    child = spawnTracked(f.command, [...f.args, 'collab', 'run', '--init', url], {
      env: { ...process.env, IPFS_CLUSTER_PATH: root, CLUSTER_IPFSHTTP_NODEMULTIADDRESS: kubo.apiMultiaddr },
      stdio: ['ignore', 'ignore', 'ignore']
    })
    const socket = join(root, 'collab', 'api-socket')
    let peak = 0
    const sampler = setInterval(() => { peak = Math.max(peak, rssBytes(child?.pid)) }, 100)
    let listed = NaN
    let pinned = NaN
    try {
      while (performance.now() - started < P.timeoutMs && Number.isNaN(pinned)) {
        if (child.exitCode !== null) throw new Error(`${side}: the follower exited (${child.exitCode})`)
        const tPoll = performance.now()
        if (Number.isNaN(listed) && await count(socket, '/allocations') >= want) listed = (performance.now() - started) / 1000
        if (!Number.isNaN(listed) && await count(socket, '/pins?local=true&filter=pinned') >= want) pinned = (performance.now() - started) / 1000
        await sleep(Math.max(500, performance.now() - tPoll))
      }
    } finally {
      clearInterval(sampler)
    }
    await sleep(P.restMs)
    const restRss = rssBytes(child.pid)
    log(`  ${side}: lists all ${want} after ${fmt(listed)} s, all pinned after ${fmt(pinned)} s; peak RSS ${fmt(peak / MiB)} MiB, at rest ${fmt(restRss / MiB)} MiB`)
    return { listed, pinned, peakRss: peak / MiB, restRss: restRss / MiB }
  } finally {
    if (child !== undefined) await stopChild(child)
    await kubo.stop()
    removeTempDir(root)
  }
}

async function main (): Promise<void> {
  installCleanupHandlers()
  await Promise.all([tsFlavour.prepare(), goFlavour.prepare()])
  execFileSync('bash', [join(import.meta.dirname, '..', 'scripts', 'install-go-tools.sh'), 'ipfs-cluster-follow'], { stdio: 'inherit' })
  const kubo = new FakeKubo()
  await kubo.start()
  const trusted = new BenchCluster({ flavour: tsFlavour as Flavour, consensus: 'crdt', crdt: { rebroadcastInterval: REBROADCAST }, prefix: 'follow-bench', kuboApis: [kubo.apiMultiaddr],
    // Everything everywhere, as collaborative clusters pin: each follower pins the whole pinset.
    configure: config => { config.cluster.replication_factor_min = -1; config.cluster.replication_factor_max = -1 } })
  const listed = perSide()
  const pinned = perSide()
  const peak = perSide()
  const rest = perSide()
  try {
    await trusted.start()
    const peer = trusted.peers[0]!
    const seed = await pinLoad([peer.restUrl], randomCids(P.pins), 64)
    log(`trusted peer seeded with ${seed.done} pins (${fmt(seed.rate)}/s, ${seed.errors} errors)`)
    // The followers' configuration: the trusted peer's, with its address to bootstrap from, a
    // port of their own, no API section, and the datastore section Go's follower needs.
    const template = JSON.parse(readFileSync(join(peer.folder, 'service.json'), 'utf8'))
    template.cluster.peer_addresses = [`/ip4/127.0.0.1/tcp/${peer.clusterPort}/p2p/${peer.id}`]
    template.cluster.listen_multiaddress = ['/ip4/127.0.0.1/tcp/0']
    delete template.api
    template.datastore ??= { pebble: {} }
    const server = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(template)) })
    await new Promise<void>(resolve => { server.listen(0, '127.0.0.1', resolve) })
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/follower.json`
    try {
      for (let run = 0; run < P.runs; run++) {
        for (const side of (run % 2 === 0 ? ['go', 'ts'] : ['ts', 'go']) as Side[]) {
          const r = await followOnce(side, url, seed.done)
          listed[side].push(r.listed)
          pinned[side].push(r.pinned)
          peak[side].push(r.peakRss)
          rest[side].push(r.restRss)
        }
      }
    } finally {
      await new Promise(resolve => { server.close(resolve) })
    }
    const k = seed.done >= 1000 ? `${seed.done / 1000}k` : String(seed.done)
    report.add(`new follower, ${k} pins: until its GET /allocations lists all`, 's', 'lower', listed, 'from spawning `run --init <url>`; polled every max(0.5 s, poll time) over its Unix socket')
    report.add('same: until its status lists all pinned', 's', 'lower', pinned, 'GET /pins?local=true&filter=pinned (Kubo stand-in: pins at once)')
    report.add('same: peak RSS of the follower', 'MiB', 'lower', peak, 'sampled every 100 ms')
    report.add(`same: RSS of the follower at rest, ${P.restMs / 1000} s after`, 'MiB', 'lower', rest)
  } finally {
    await trusted.stop()
    await kubo.stop()
  }
  report.write(
    `One trusted CRDT peer of ours (rebroadcast_interval ${REBROADCAST}, Kubo stand-in) seeded with ${P.pins} pins by 64 clients of POST /pins/<cid>; each follower started fresh from the same published configuration, one at a time.`,
    { ...P, rebroadcast: REBROADCAST },
    ['Go\'s follower sleeps 1 s before asking IPFS for its ID and 1 s after it answered (cmdutils.WaitForIPFS): 2 s of its times are that.',
      'Both followers fetch from our trusted peer: ours walks the DAG with many blocks per exchange (/cluster-ts/blocks-below/1.0.0), Go\'s over bitswap.'],
    SMOKE ? tmpdir() : undefined
  )
}

try {
  await main()
} finally {
  cleanupAll()
}
