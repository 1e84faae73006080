/**
 * Adding content (rest-api.md §4.15, ctl.md §6.4) on a 3-peer cluster with a real Kubo per peer:
 * the real Go ipfs-cluster-ctl uploads through our REST API, prints what `ipfs add` prints for
 * the same files, the blocks land in the allocated peers' Kubos and the root is pinned there.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCid, Timestamp, type GlobalPinInfo } from '@cluster/api'
import { RestApiServer } from '@cluster/rest-api'
import { runGoCtl as goCtl, seededBytes, until, type KuboDaemon } from '@cluster/test-utils'
import { startCluster, type TestCluster } from './helpers/cluster.ts'

function statuses (g: GlobalPinInfo): string {
  return Object.values(g.peerMap ?? {}).map(s => s.status).sort().join(',')
}

/** Is the block in this Kubo's own blockstore (no network fetch)? */
async function hasBlock (kubo: KuboDaemon, cid: string): Promise<boolean> {
  return await kubo.rpc('block/stat', { arg: cid, offline: 'true' }).then(() => true, () => false)
}

describe('POST /add on a 3-peer cluster', () => {
  let cluster: TestCluster
  let rest: RestApiServer
  let host: string
  let folder: string

  beforeAll(async () => {
    cluster = await startCluster(3, 'add-')
    rest = new RestApiServer(cluster.peers[0]!, { httpListenMultiaddress: ['/ip4/127.0.0.1/tcp/0'] })
    host = (await rest.start()).multiaddr
    folder = join(cluster.dir, 'photos')
    mkdirSync(join(folder, 'sub'), { recursive: true })
    writeFileSync(join(folder, 'cat.jpg'), 'meow\n')
    writeFileSync(join(folder, 'sub', 'dog.jpg'), seededBytes(300_000, 7))
    writeFileSync(join(folder, 'big.bin'), seededBytes(3 * 1024 * 1024 + 17, 42))
  }, 120_000)

  afterAll(async () => {
    await rest?.stop()
    await cluster?.stop()
  }, 60_000)

  it('the Go ctl prints what `ipfs add -r` prints; the blocks are on both allocations and the root is pinned there', async () => {
    const run = await goCtl(['--host', host, 'add', '-r', '--rmin', '2', '--rmax', '2', '--name', 'photos', folder])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const kubo = cluster.kubos[0]!
    const expected = await kubo.cli(['add', '-r', '--only-hash', folder])
    expect(run.stdout).toBe(expected)

    const root = run.stdout.trim().split('\n').at(-1)!.split(' ')[1]!
    const pin = await cluster.peers[1]!.allocation(parseCid(root))
    expect(pin.name).toBe('photos')
    expect(pin.allocations).toHaveLength(2)
    // The blocks were pushed to the allocations while adding: they have them before pinning.
    for (const [i, peer] of cluster.peers.entries()) {
      const allocated = (pin.allocations ?? []).includes(peer.peerId)
      if (allocated) expect(await hasBlock(cluster.kubos[i]!, root)).toBe(true)
    }
    const status = await until(async () => {
      const s = await cluster.peers[2]!.status(parseCid(root))
      return statuses(s) === 'pinned,pinned,remote' ? s : undefined
    }, 'the added folder pinned on its two allocations')
    expect(status.name).toBe('photos')
  }, 120_000)

  it('--local sends the blocks only to this peer, which becomes one of the allocations', async () => {
    const file = join(cluster.dir, 'local.txt')
    writeFileSync(file, `local content ${Date.now()}\n`)
    const run = await goCtl(['--host', host, 'add', '--local', '--rmin', '1', '--rmax', '1', '-Q', file])
    expect(run.code).toBe(0)
    const root = run.stdout.trim()
    const pin = await cluster.peers[0]!.allocation(parseCid(root))
    expect(pin.allocations).toEqual([cluster.peers[0]!.peerId])
    expect(await hasBlock(cluster.kubos[0]!, root)).toBe(true)
    expect(await hasBlock(cluster.kubos[1]!, root)).toBe(false)
    expect(await hasBlock(cluster.kubos[2]!, root)).toBe(false)
  }, 60_000)

  it('GET /allocations streams the stored pins exactly as GET /allocations/<cid> shows each', async () => {
    const res = await fetch(`${rest.addresses[0]!.url}/allocations`)
    const lines = (await res.text()).trim().split('\n')
    expect(lines.length).toBeGreaterThan(0)
    for (const line of lines) {
      const cid = (JSON.parse(line) as { cid: string }).cid
      expect((await (await fetch(`${rest.addresses[0]!.url}/allocations/${cid}`)).text()).trim()).toBe(line)
    }
    expect((await fetch(`${rest.addresses[0]!.url}/allocations?filter=shard-pin`)).status).toBe(204)
  })

  it('a pin reads back as Go\'s state gives it: whole seconds in the local offset, origins []; the POST answer keeps nanoseconds', async () => {
    const form = new FormData()
    form.append('file', new Blob([`stored form ${Date.now()}`]))
    const cid = (await cluster.kubos[0]!.rpc<{ Key: string }>('block/put', {}, form)).Key
    const url = rest.addresses[0]!.url
    const posted = JSON.parse(await (await fetch(`${url}/pins/ipfs/${cid}?name=stored`, { method: 'POST' })).text()) as Record<string, unknown>
    expect(posted.origins).toBeNull()
    const fresh = Timestamp.parse(posted.timestamp as string)
    expect(fresh.offsetMinutes).toBe(Timestamp.fromDate(new Date(), 'local').offsetMinutes)
    expect(fresh.unixNanos % 1_000_000_000n).not.toBe(0n)

    const one = (await (await fetch(`${url}/allocations/${cid}`)).text()).trim()
    const listed = (await (await fetch(`${url}/allocations`)).text()).trim().split('\n').find(l => l.includes(`"cid":"${cid}"`))
    expect(listed).toBe(one)
    const stored = JSON.parse(one) as Record<string, unknown>
    const seconds = fresh.truncateToSeconds().withOffset('local').toString()
    expect(stored).toMatchObject({ origins: [], user_allocations: null, metadata: null, timestamp: seconds })
    const status = JSON.parse(await (await fetch(`${url}/pins/${cid}`)).text()) as { created: string, origins: unknown }
    expect(status).toMatchObject({ created: seconds, origins: [] })
  })

  it('--no-pin stores the blocks everywhere they are allocated but pins nothing', async () => {
    const file = join(cluster.dir, 'nopin.txt')
    writeFileSync(file, `not pinned ${Date.now()}\n`)
    const run = await goCtl(['--host', host, 'add', '--no-pin', '-q', file])
    expect(run.code).toBe(0)
    const root = run.stdout.trim()
    await expect(cluster.peers[0]!.allocation(parseCid(root))).rejects.toThrow('not part of the pinset')
    // Default replication is "everywhere": every peer's Kubo got the block.
    for (const kubo of cluster.kubos) expect(await hasBlock(kubo, root)).toBe(true)
  }, 60_000)
})
