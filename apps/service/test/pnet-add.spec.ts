/**
 * Large transfers inside a private network: 3 daemon processes sharing a cluster secret (the
 * libp2p pre-shared key), each with its own Kubo, take a 100 MiB `POST /add` replicated to all
 * three. Every block crosses the protected connections; no process may die doing so.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { goMultipart, lines, seededBytes, until } from '@cluster/test-utils'
import type { LocalPeer } from '../dev/local-cluster.ts'
import { localClusterFixture } from './helpers/local-cluster.ts'

const MiB = 1024 * 1024

interface StatusJson { cid: string, peer_map: Record<string, { status: string, error?: string }> }
interface PinJson { allocations: string[] }

function alive (p: LocalPeer): boolean {
  return p.daemon !== undefined && p.daemon.exitCode === null && p.daemon.signalCode === null
}

describe('a 3-process cluster with a cluster secret', () => {
  // Allocating to all three needs every peer's metrics.
  const fx = localClusterFixture('pnet-add-', { peers: 3, metrics: ['freespace', 'tag:group'] })

  it('takes a 100 MiB POST /add to every peer; all processes stay up and the root ends pinned on every allocation', async () => {
    for (const p of fx.cluster.peers) {
      expect(JSON.parse(readFileSync(join(p.folder, 'service.json'), 'utf8')).cluster.secret).toMatch(/^[0-9a-f]{64}$/)
    }
    const [p0] = fx.cluster.peers as [LocalPeer]
    const data = seededBytes(100 * MiB, 2026)
    const file = join(fx.base, 'big.bin')
    writeFileSync(file, data)
    const body = goMultipart([{ type: 'file', path: 'big.bin', data }])

    const res = await fetch(`${p0.restUrl}/add?name=big&replication-min=3&replication-max=3`, {
      method: 'POST',
      headers: { 'Content-Type': body.contentType },
      body: body.bytes,
      signal: AbortSignal.timeout(240_000)
    })
    const text = await res.text()
    expect(res.status, text).toBe(200)
    const out = lines(text) as Array<{ name: string, cid: string, allocations: string[] }>
    const root = out.at(-1)!
    expect(root.name).toBe('big.bin')
    expect(root.allocations).toHaveLength(3)
    // The DAG is Kubo's own for the same file.
    expect((await p0.kubo!.cli(['add', '-Q', '--only-hash', file])).trim()).toBe(root.cid)

    const status = await until(async () => {
      const s = await (await fetch(`${p0.restUrl}/pins/${root.cid}`, { signal: AbortSignal.timeout(10_000) })).json() as StatusJson
      return Object.values(s.peer_map).filter(v => v.status === 'pinned').length === 3 ? s : undefined
    }, 'the 100 MiB root pinned on all three peers', 120_000)
    const pin = await (await fetch(`${p0.restUrl}/allocations/${root.cid}`)).json() as PinJson
    expect(Object.keys(status.peer_map).sort()).toEqual([...pin.allocations].sort())

    for (const p of fx.cluster.peers) {
      expect(alive(p), `peer${p.index} is running`).toBe(true)
      expect(readFileSync(join(p.folder, 'daemon.log'), 'utf8')).not.toMatch(/RangeError|Maximum memory size exceeded/)
      // Each peer still answers, with the whole peerset.
      const id = await (await fetch(`${p.restUrl}/id`, { signal: AbortSignal.timeout(10_000) })).json() as { cluster_peers: string[] }
      expect(id.cluster_peers).toHaveLength(3)
    }
  }, 300_000)
})
