/**
 * CRDT batching as users meet it: Go's ctl pins through a peer whose batch stays open (a 10-minute
 * max_batch_age), the peer is killed with SIGKILL once the pins are answered, and they are in the
 * cluster's state after its restart — on it and on the other peer, which never saw them before.
 * A clean stop instead commits and announces the open batch on its way out.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runGoCtl, syntheticCid, until } from '@cluster/test-utils'
import type { LocalPeer } from '../dev/local-cluster.ts'
import { localClusterFixture } from './helpers/local-cluster.ts'

describe('CRDT batching across stops', () => {
  const fx = localClusterFixture('crdt-batching-', {
    peers: 2,
    consensus: 'crdt',
    configure: config => { config.consensus.crdt.batching = { max_batch_size: 100, max_batch_age: '10m0s', max_queue_size: 50000 } }
  })

  it('pins answered while their batch was open survive a kill -9 of the peer', async () => {
    const [p0, p1] = fx.cluster.peers as [LocalPeer, LocalPeer]
    const cids = Array.from({ length: 5 }, (_, i) => syntheticCid(4_200 + i).toString())
    for (const [i, cid] of cids.entries()) {
      const added = await runGoCtl(['--host', p0.restApi, 'pin', 'add', '--no-status', '--name', `batched-${i}`, cid])
      expect(added.code, added.stderr).toBe(0)
    }
    // Answered, not committed: the batch waits for more pins or ten minutes.
    expect((await fetch(`${p1.restUrl}/allocations/${cids[0] ?? ''}`)).status).toBe(404)
    await fx.cluster.kill(p0.index)
    await fx.cluster.startPeer(p0.index)
    await fx.cluster.waitReady(fx.cluster.peers)
    for (const peer of [p0, p1]) {
      await until(async () => {
        const found = await Promise.all(cids.map(async cid => (await fetch(`${peer.restUrl}/allocations/${cid}`)).status === 200))
        return found.every(Boolean) ? true : undefined
      }, `the ${cids.length} pins on peer ${peer.index}`, 30_000)
    }
    const ls = await runGoCtl(['--host', p1.restApi, 'pin', 'ls'])
    for (let i = 0; i < cids.length; i++) expect(ls.stdout).toContain(`batched-${i}`)
  }, 180_000)

  it('a clean stop commits the open batch and announces it: the other peer has the pins while this one is down', async () => {
    const [p0, p1] = fx.cluster.peers as [LocalPeer, LocalPeer]
    const cids = Array.from({ length: 3 }, (_, i) => syntheticCid(4_300 + i).toString())
    for (const cid of cids) {
      const added = await runGoCtl(['--host', p1.restApi, 'pin', 'add', '--no-status', cid])
      expect(added.code, added.stderr).toBe(0)
    }
    const daemon = p1.daemon
    daemon?.kill('SIGTERM')
    await new Promise(resolve => daemon?.once('exit', resolve))
    await until(async () => {
      const found = await Promise.all(cids.map(async cid => (await fetch(`${p0.restUrl}/allocations/${cid}`)).status === 200))
      return found.every(Boolean) ? true : undefined
    }, 'the pins on peer 0', 30_000)
    await fx.cluster.startPeer(p1.index)
    await fx.cluster.waitReady(fx.cluster.peers)
    expect(readFileSync(join(p1.folder, 'daemon.log'), 'utf8')).not.toContain('answered before an unclean stop')
  }, 180_000)
})
