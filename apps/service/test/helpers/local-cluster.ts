/**
 * A LocalCluster (real daemon processes, a real Kubo each) for the tests of one `describe`:
 * started in its beforeAll, stopped in its afterAll, its folder removed unless KEEP_TEST_DIRS
 * is set. `metrics` names metrics every peer must have published before the tests run (what
 * allocating on every peer needs).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { until } from '@cluster/test-utils'
import { LocalCluster, type LocalClusterOptions, type LocalPeer } from '../../dev/local-cluster.ts'

export interface ClusterFixture {
  readonly cluster: LocalCluster
  readonly base: string
  /** The first peer. */
  readonly p0: LocalPeer
}

export interface ClusterFixtureOptions extends Omit<LocalClusterOptions, 'base'> {
  metrics?: string[]
  /** Runs after the start, within the beforeAll (e.g. seeding). */
  ready?: (fixture: ClusterFixture) => Promise<void>
  startTimeoutMs?: number
}

/** Edits of service.json for a cluster where each pin has one copy and metrics come every second. */
export function oneReplicaQuickMetrics (c: Record<string, any>): void {
  c.cluster.replication_factor_min = 1
  c.cluster.replication_factor_max = 1
  c.cluster.monitor_ping_interval = '1s'
  c.monitor.pubsubmon.check_interval = '1s'
}

/** Waits until `peer` lists a valid metric of each name from every member of the cluster. */
export async function waitForMetrics (cluster: LocalCluster, names: string[], peer = cluster.peers[0] as LocalPeer): Promise<void> {
  for (const name of names) {
    await until(async () => (await (await fetch(`${peer.restUrl}/monitor/metrics/${name}`)).json() as unknown[]).length === cluster.peers.length ? true : undefined, `${name} from every peer`)
  }
}

export function localClusterFixture (prefix: string, opts: ClusterFixtureOptions = {}): ClusterFixture {
  let cluster: LocalCluster | undefined
  let base: string | undefined
  const fixture: ClusterFixture = {
    get cluster () { if (cluster === undefined) throw new Error('the cluster is not started yet'); return cluster },
    get base () { if (base === undefined) throw new Error('the cluster is not started yet'); return base },
    get p0 () { return fixture.cluster.peers[0] as LocalPeer }
  }
  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), prefix))
    cluster = new LocalCluster({ ...opts, base })
    await cluster.start()
    await waitForMetrics(cluster, opts.metrics ?? [])
    await opts.ready?.(fixture)
  }, opts.startTimeoutMs ?? 180_000)
  afterAll(async () => {
    await cluster?.stop()
    if (base !== undefined && process.env.KEEP_TEST_DIRS === undefined) rmSync(base, { recursive: true, force: true })
  }, 60_000)
  return fixture
}
