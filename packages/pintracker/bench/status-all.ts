// StatusAll over a large pinset against a fake IPFS listing: wall time and peak RSS.
// Run: node --conditions=source packages/pintracker/bench/status-all.ts
// Each sample runs in a fresh child process so that its peak RSS is its own. BENCH_PINS sets the
// pinset size (default 100k), BENCH_RUNS the number of samples (default 5).
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { CID, Timestamp, defaultPinOptions, parsePeerId, parseTrackerStatusFilter } from '@cluster/api'
import type { Pin } from '@cluster/api'
import { StatelessTracker, cidKey } from '@cluster/pintracker'
import type { IpfsPinEntry, PinsetReader, TrackerIpfs } from '@cluster/pintracker'
import { summarize, writeResults } from '../../../scripts/lib/bench-results.ts'

const pins = Number(process.env.BENCH_PINS ?? 100_000)
const runs = Number(process.env.BENCH_RUNS ?? 5)

function cidOf (i: number): CID {
  const bytes = new Uint8Array(36)
  bytes.set([0x01, 0x55, 0x12, 0x20])
  new DataView(bytes.buffer).setUint32(4, i)
  return CID.decode(bytes)
}

const timestamp = Timestamp.fromUnixMillis(Date.UTC(2025, 0, 1))
function pinOf (i: number): Pin {
  return {
    ...defaultPinOptions(),
    replicationFactorMin: -1,
    replicationFactorMax: -1,
    name: `pin-${i}`,
    cid: cidOf(i),
    type: 'pin',
    allocations: [],
    maxDepth: -1,
    reference: undefined,
    timestamp
  }
}

/** The pinset streams pins built on the fly, as a SQLite cursor would. */
const pinset: PinsetReader = {
  get: (cid) => pinOf(new DataView(cid.multihash.digest.buffer, cid.multihash.digest.byteOffset).getUint32(0)),
  list: async function * () { for (let i = 0; i < pins; i++) yield pinOf(i) }
}

/** IPFS lists every pin but the last 1% (recursive; every 10th direct), as CID strings. */
const ipfs: TrackerIpfs = {
  pin: async () => {},
  unpin: async () => {},
  pinLsCid: async () => 'recursive',
  pinLs: async function * (): AsyncGenerator<IpfsPinEntry> {
    for (let i = 0; i < pins * 0.99; i++) yield { cid: cidKey(cidOf(i)), type: i % 10 === 0 ? 'direct' : 'recursive' }
  }
}

async function child (mode: string): Promise<void> {
  const tracker = new StatelessTracker({
    peerId: parsePeerId('QmXZrtE5jQwXNqCJMfHUTQkvhQ4ZAnqMnmzFMJfLewuabc'),
    peerName: 'bench',
    ipfs,
    pinset
  })
  const rssBefore = process.memoryUsage().rss
  const start = performance.now()
  let count = 0
  if (mode === 'pinset-only') {
    for await (const _ of pinset.list()) count++
  } else {
    const filter = mode === 'all' ? 0 : parseTrackerStatusFilter(mode)
    for await (const _ of tracker.statusAll(filter)) count++
  }
  const ms = performance.now() - start
  const peakRssMiB = process.resourceUsage().maxRSS / 1024
  process.stdout.write(JSON.stringify({ ms, count, peakRssMiB, rssBeforeMiB: rssBefore / 2 ** 20 }) + '\n')
  await tracker.close()
}

interface Sample { ms: number, count: number, peakRssMiB: number, rssBeforeMiB: number }

function sample (mode: string): Sample {
  const self = fileURLToPath(import.meta.url)
  const res = spawnSync(process.execPath, ['--conditions=source', self], {
    env: { ...process.env, BENCH_CHILD: mode },
    encoding: 'utf8'
  })
  if (res.status !== 0) throw new Error(`child failed: ${res.stderr}`)
  return JSON.parse(res.stdout.trim().split('\n').pop() ?? '') as Sample
}

if (process.env.BENCH_CHILD !== undefined) {
  await child(process.env.BENCH_CHILD)
} else {
  const modes: Array<[string, string]> = [
    ['pinset-only', 'baseline: iterate the pinset only (no tracker)'],
    ['all', 'StatusAll(all)'],
    ['pinned', 'StatusAll(pinned)'],
    ['unexpectedly_unpinned', 'StatusAll(unexpectedly_unpinned)'],
    ['remote', 'StatusAll(remote): no IPFS listing']
  ]
  const rows = []
  const extra: Record<string, unknown> = {}
  for (const [mode, label] of modes) {
    const samples = Array.from({ length: runs }, () => sample(mode))
    const items = samples[0]?.count ?? 0
    rows.push(summarize(`${label}, ${pins} pins: wall time`, 'ms', samples.map((s) => s.ms), `${items} items`))
    rows.push(summarize(`${label}, ${pins} pins: peak RSS`, 'MiB', samples.map((s) => s.peakRssMiB),
      `RSS before: ${Math.round(samples[0]?.rssBeforeMiB ?? 0)} MiB`))
    extra[mode] = samples
  }
  writeResults('pintracker-status-all', rows, { pins, samples: extra })
}
