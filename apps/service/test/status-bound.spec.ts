/**
 * A status never waits as long as a hung Kubo does: each peer's part is bounded by the fan-out
 * timeout (Go: 15 s), the hung peer's entry carries its error and the others their real status.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultPinOptions, parseCid, type CID, type GlobalPinInfo } from '@cluster/api'
import { until } from '@cluster/test-utils'
import type { ClusterPeer } from '../src/cluster/index.ts'
import { FANOUT_TIMEOUT_MS } from '../src/cluster/fanout.ts'
import { startCluster, type TestCluster } from './helpers/cluster.ts'

describe('a 3-peer cluster where one peer\'s Kubo is paused (SIGSTOP)', () => {
  let cluster: TestCluster
  let cid: CID
  let paused = false

  beforeAll(async () => {
    cluster = await startCluster(3, 'status-bound-')
    const form = new FormData()
    form.append('file', new Blob([`status of a hung Kubo ${Date.now()}`]))
    cid = parseCid((await cluster.kubos[0]!.rpc<{ Key: string }>('block/put', { 'cid-codec': 'raw' }, form)).Key)
    const [p0] = cluster.peers as [ClusterPeer]
    await p0.pin(cid, { ...defaultPinOptions(), name: 'everywhere' })
    await until(async () => {
      const s = await p0.status(cid)
      return Object.values(s.peerMap ?? {}).filter(e => e.status === 'pinned').length === 3 ? true : undefined
    }, 'pinned on every peer')
  }, 120_000)

  afterAll(async () => {
    if (paused) process.kill(cluster.kubos[1]!.pid, 'SIGCONT')
    await cluster?.stop()
  }, 60_000)

  it('answers within the bound on every peer, the paused peer as cluster_error with its error, the others pinned', async () => {
    const peers = cluster.peers as [ClusterPeer, ClusterPeer, ClusterPeer]
    const hung = peers[1]
    process.kill(cluster.kubos[1]!.pid, 'SIGSTOP')
    paused = true

    const timed = async (p: ClusterPeer, recover = false): Promise<{ ms: number, status: GlobalPinInfo }> => {
      const start = Date.now()
      const status = recover ? await p.recover(cid) : await p.status(cid)
      return { ms: Date.now() - start, status }
    }
    // Asked through the paused peer itself and through the two others, and a recover (the same
    // fan-out), all at once.
    const [answers, recovered] = await Promise.all([Promise.all(peers.map(async p => await timed(p))), timed(peers[0], true)])
    for (const { ms, status } of [...answers, recovered]) {
      expect(ms).toBeLessThan(FANOUT_TIMEOUT_MS + 3_000)
      const entries = status.peerMap ?? {}
      expect(Object.keys(entries)).toHaveLength(3)
      expect(entries[hung.peerId]?.status).toBe('cluster_error')
      expect(entries[hung.peerId]?.error).not.toBe('')
      expect(entries[hung.peerId]?.peername).toBe('peer1')
      for (const p of peers.filter(q => q !== hung)) expect(entries[p.peerId]?.status).toBe('pinned')
    }

    process.kill(cluster.kubos[1]!.pid, 'SIGCONT')
    paused = false
    await until(async () => (await hung.status(cid)).peerMap?.[hung.peerId]?.status === 'pinned' ? true : undefined, 'the resumed peer pinned again', 30_000)
  }, 120_000)
})
