/**
 * Composition (proxy.md §6): cluster B's peers use cluster A's proxies as their IPFS node.
 * A: 3 peers with real Kubos, replication 2. B: 2 peers, another secret, pin everywhere.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PinNotFoundError, defaultPinOptions, parseCid, type CID } from '@cluster/api'
import { KuboDaemon, until } from '@cluster/test-utils'
import { startCluster, statuses, type TestCluster } from './proxy/cluster-harness.ts'
import { request } from '@cluster/test-utils'

const dir = mkdtempSync(join(tmpdir(), 'proxy-composition-'))
const kubos: KuboDaemon[] = []
let a: TestCluster
let b: TestCluster

async function inA (cid: CID): Promise<boolean> {
  return await a.peers[2]!.allocation(cid).then(() => true, (err: unknown) => {
    if (err instanceof PinNotFoundError) return false
    throw err
  })
}

beforeAll(async () => {
  kubos.push(...await Promise.all([0, 1, 2].map(async () => await KuboDaemon.start())))
  a = await startCluster({ dir, secret: 'a'.repeat(64), ipfsAddrs: kubos.map(k => k.apiMultiaddr), replication: [2, 2], name: 'a' })
  b = await startCluster({ dir, secret: 'c'.repeat(64), ipfsAddrs: [a.proxyAddrs[0] as string, a.proxyAddrs[1] as string], replication: [-1, -1], name: 'b' })
}, 180_000)

afterAll(async () => {
  await b?.stop()
  await a?.stop()
  await Promise.all(kubos.map(async k => await k.stop()))
  rmSync(dir, { recursive: true, force: true })
}, 60_000)

describe('a cluster whose IPFS nodes are another cluster\'s proxies', () => {
  it('sees A\'s Kubos as its IPFS daemons and A\'s total space as its free space', async () => {
    const ids = []
    for await (const id of b.peers[0]!.peers()) ids.push(id.ipfs.id?.toString())
    expect(ids.sort()).toEqual([kubos[0]!.peerId, kubos[1]!.peerId].sort())
    const freespace = b.peers[0]!.monitor.latest('freespace')
    expect(freespace).toHaveLength(2)
    // Each B peer's repo/stat is A's sum: 3 × 1 GB minus what A stores.
    for (const m of freespace) expect(Number(m.value)).toBeGreaterThan(2_000_000_000)
  })

  it('a pin in B is pinned in A with A\'s replication; unpinning in B unpins in A', async () => {
    const form = new FormData()
    form.append('file', new Blob([`composed ${Date.now()}`]))
    const { Key } = await kubos[2]!.rpc<{ Key: string }>('block/put', {}, form)
    const cid = parseCid(Key)

    const pin = await b.peers[1]!.pin(cid, { ...defaultPinOptions(), name: 'from B' })
    expect(pin.cid.toString()).toBe(Key)
    // B: both peers report pinned (their "IPFS" is A's pinset).
    await until(async () => await statuses(b.peers[0]!, cid) === 'pinned,pinned' ? true : undefined, 'pinned in B')
    // A: the pin is in A's state with A's factors, and two of A's Kubos really hold it.
    const inAState = await a.peers[0]!.allocation(cid)
    expect(inAState.replicationFactorMin).toBe(2)
    expect(inAState.allocations).toHaveLength(2)
    await until(async () => await statuses(a.peers[1]!, cid) === 'pinned,pinned,remote' ? true : undefined, 'pinned twice in A')
    const proxyLs = await request(`http://${a.proxyAddrs[0]!.split('/')[2]!}:${a.proxyAddrs[0]!.split('/')[4]!}/api/v0/pin/ls?arg=${Key}&stream=true`)
    expect(JSON.parse(proxyLs.body)).toEqual({ Cid: Key, Type: 'recursive' })

    await b.peers[0]!.unpin(cid)
    await until(async () => (await inA(cid)) ? undefined : true, 'unpinned in A')
    await until(async () => await statuses(b.peers[1]!, cid) === 'unpinned,unpinned' ? true : undefined, 'unpinned in B')
    await until(async () => await statuses(a.peers[0]!, cid) === 'unpinned,unpinned,unpinned' ? true : undefined, 'unpinned in A\'s Kubos')
    // No error was recorded in B for the second unpin (A answered "not pinned", which means done).
    const gb = await b.peers[1]!.status(cid)
    expect(Object.values(gb.peerMap ?? {}).every(s => s.error === '')).toBe(true)
  }, 90_000)

  it('a pin in B of a CID A already holds leaves A\'s own pin as it was (B asks A\'s proxy before pin/add)', async () => {
    const form = new FormData()
    form.append('file', new Blob([`held by A ${Date.now()}`]))
    const { Key } = await kubos[1]!.rpc<{ Key: string }>('block/put', {}, form)
    const cid = parseCid(Key)
    await a.peers[0]!.pin(cid, { ...defaultPinOptions(), name: 'A\'s own', replicationFactorMin: 3, replicationFactorMax: 3 })
    await until(async () => await statuses(a.peers[0]!, cid) === 'pinned,pinned,pinned' ? true : undefined, 'pinned in A')
    // B has had pin/add answered by A's proxy before (the test above): still a proxy, still checked.
    await b.peers[0]!.pin(cid, { ...defaultPinOptions(), name: 'from B' })
    await until(async () => await statuses(b.peers[0]!, cid) === 'pinned,pinned' ? true : undefined, 'pinned in B')
    const inAState = await a.peers[1]!.allocation(cid)
    expect(inAState.name).toBe('A\'s own')
    expect(inAState.replicationFactorMin).toBe(3)
  }, 60_000)

  it('a direct pin in B stays direct in A', async () => {
    const form = new FormData()
    form.append('file', new Blob([`direct ${Date.now()}`]))
    const { Key } = await kubos[0]!.rpc<{ Key: string }>('block/put', {}, form)
    const cid = parseCid(Key)
    await b.peers[0]!.pin(cid, { ...defaultPinOptions(), mode: 'direct' })
    await until(async () => await statuses(b.peers[0]!, cid) === 'pinned,pinned' ? true : undefined, 'direct pin in B')
    expect((await a.peers[0]!.allocation(cid)).mode).toBe('direct')
    await b.peers[0]!.unpin(cid)
    await until(async () => (await inA(cid)) ? undefined : true, 'direct unpinned in A')
  }, 60_000)
})
