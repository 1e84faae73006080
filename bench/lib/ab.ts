// What the A/B scripts (crdt-ab.ts, rest-ab.ts) share: the other checkout as a flavour, and a
// 3-peer cluster on Kubo stand-ins that lives for one measurement.
import { BenchCluster, type BenchClusterOptions, type Flavour } from './cluster.ts'
import { FakeKubo } from './fake-kubo.ts'
import { sleep } from './load.ts'
import { tsDaemonCommand } from './ts-cluster.ts'

/** Our daemon from another built checkout (`git worktree add /tmp/base <rev>`, installed and built there). */
export function baseFlavour (checkout: string): Flavour {
  return { name: 'ts', service: tsDaemonCommand(checkout), prepare: async () => {} }
}

/**
 * Starts a 3-peer cluster on Kubo stand-ins, gives it 2 s to settle, runs `measure` on it, then
 * stops the daemons and the stand-ins whatever happened.
 */
export async function withStandInCluster<T> (opts: Omit<BenchClusterOptions, 'kuboApis'>, measure: (cluster: BenchCluster) => Promise<T>): Promise<T> {
  const kubos = Array.from({ length: 3 }, () => new FakeKubo())
  await Promise.all(kubos.map(async k => { await k.start() }))
  const cluster = new BenchCluster({ ...opts, kuboApis: kubos.map(k => k.apiMultiaddr) })
  try {
    await cluster.start()
    await sleep(2000)
    return await measure(cluster)
  } finally {
    await cluster.stop()
    await Promise.all(kubos.map(async k => { await k.stop() }))
  }
}
