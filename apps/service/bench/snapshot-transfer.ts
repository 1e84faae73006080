// A big pinset's Raft snapshot on its way to a returning peer: the leader copies its pinset file
// (a read transaction, in steps), the follower fetches it in chunks over the cluster's libp2p
// host (TCP, the private-network protector with a secret, Noise, Yamux), then installs it.
// Reports the time of each step and the memory (RSS) it takes, which must stay flat whatever
// the pinset size. Run: node --conditions=source apps/service/bench/snapshot-transfer.ts
// (BENCH_PINS, default 1000000; QUICK=1: 100000).
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultPinOptions, Timestamp, type Pin } from '@cluster/api'
import { PinsetState } from '@cluster/consensus'
import { emptySnapshot } from '@cluster/raft'
import { Libp2pTransport } from '@cluster/raft/libp2p'
import { SnapshotFolder, fileSnapshotFetcher } from '@cluster/raft/node'
import { syntheticCid } from '@cluster/test-utils'
import { createHost } from '../src/cluster/host.ts'
import { summarize, writeResults, type BenchRow } from '../../../scripts/lib/bench-results.ts'

const PINS = Number(process.env.BENCH_PINS ?? (process.env.QUICK !== undefined ? 100_000 : 1_000_000))
const SECRET = 'a'.repeat(64)
const MiB = 1024 * 1024

function * pins (n: number): Generator<Pin> {
  const timestamp = Timestamp.fromDate(new Date())
  for (let i = 0; i < n; i++) {
    yield {
      ...defaultPinOptions(), name: `dataset-${i}`, cid: syntheticCid(i), type: 'pin', allocations: [], maxDepth: -1,
      reference: undefined, timestamp, replicationFactorMin: 2, replicationFactorMax: 3, metadata: { owner: `user${i % 97}` }
    }
  }
}

/** Runs `step`, sampling RSS every 50 ms; returns its duration and the RSS peak above `base`. */
async function measured (step: () => Promise<void> | void): Promise<{ ms: number, peakMiB: number }> {
  const base = process.memoryUsage.rss()
  let peak = base
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()) }, 50)
  const started = performance.now()
  await step()
  const ms = performance.now() - started
  clearInterval(timer)
  peak = Math.max(peak, process.memoryUsage.rss())
  return { ms, peakMiB: (peak - base) / MiB }
}

const dir = mkdtempSync(join(tmpdir(), 'snapshot-bench-'))
const hosts = await Promise.all([0, 1].map(async () => await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], secret: SECRET })))
try {
  const [leaderHost, followerHost] = hosts as [typeof hosts[0], typeof hosts[0]]
  await followerHost.peerStore.merge(leaderHost.peerId, { multiaddrs: leaderHost.getMultiaddrs() })
  const leaderFolder = new SnapshotFolder(join(dir, 'leader', 'snapshots'))
  const followerFolder = new SnapshotFolder(join(dir, 'follower', 'snapshots'))
  const leaderState = new PinsetState(join(dir, 'leader', 'pinset.sqlite'), {}, { snapshots: leaderFolder })
  const followerState = new PinsetState(join(dir, 'follower', 'pinset.sqlite'), {}, { snapshots: followerFolder })
  fileSnapshotFetcher(leaderFolder, await Libp2pTransport.create(leaderHost))
  const fetcher = fileSnapshotFetcher(followerFolder, await Libp2pTransport.create(followerHost))

  const build = await measured(() => { leaderState.replaceAll(pins(PINS), PINS + 1) })
  let descriptor = new Uint8Array(0)
  const copy = await measured(async () => { descriptor = await leaderState.snapshot() })
  const size = statSync(leaderFolder.pathOf(JSON.parse(new TextDecoder().decode(descriptor).slice('raft-snapshot-file:'.length)))!).size
  const snapshot = { ...emptySnapshot(), data: descriptor }
  snapshot.metadata.index = PINS + 1
  const transfer = await measured(async () => { await fetcher.fetch(snapshot, leaderHost.peerId.toString()) })
  const install = await measured(() => { followerState.restore(descriptor, PINS + 1) })
  if (followerState.count() !== PINS) throw new Error(`installed ${followerState.count()} pins, expected ${PINS}`)

  const note = `${PINS} pins, snapshot file ${(size / MiB).toFixed(0)} MiB`
  const rows: BenchRow[] = [
    summarize('leader: copy the pinset file (snapshot)', 's', [copy.ms / 1000], note),
    summarize('follower: fetch over libp2p with a secret', 's', [transfer.ms / 1000], `${(size / MiB / (transfer.ms / 1000)).toFixed(0)} MiB/s`),
    summarize('follower: install (copy into place)', 's', [install.ms / 1000]),
    summarize('RSS above start: copy', 'MiB', [copy.peakMiB]),
    summarize('RSS above start: fetch (both peers in this process)', 'MiB', [transfer.peakMiB]),
    summarize('RSS above start: install', 'MiB', [install.peakMiB]),
    summarize('(set-up) write the pinset', 's', [build.ms / 1000])
  ]
  writeResults(`snapshot-transfer${PINS === 1_000_000 ? '' : `-${PINS}`}`, rows)
  leaderState.close()
  followerState.close()
} finally {
  await Promise.all(hosts.map(async h => await h.stop()))
  rmSync(dir, { recursive: true, force: true })
}
