/**
 * Kubo's own remote pinning client (`ipfs pin remote …`, Kubo v0.42) against PinSvcApiServer over
 * the fake cluster, on loopback: service add with a token, add (blocking and --background), ls
 * with status filters, rm by CID, service stats; then with basic auth and a JWT from POST /token.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FakeCluster, KuboDaemon, C2, C3, P1 } from '@cluster/test-utils'
import type { Id, Multiaddr, PeerId } from '@cluster/api'
import type { PinSvcApiServer } from '../src/index.ts'
import { startPinSvcServer } from './helpers.ts'

/** One cluster peer whose IPFS daemon is this Kubo: delegates point back at Kubo (dialing self fails at once). */
class KuboBackedCluster extends FakeCluster {
  override peerset = [P1]

  override idOf (id: PeerId): Id {
    const base = super.idOf(id)
    return { ...base, ipfs: { ...base.ipfs, addresses: kubo.swarmAddresses as Multiaddr[] } }
  }
}

let kubo: KuboDaemon
const servers: PinSvcApiServer[] = []

beforeAll(async () => {
  kubo = await KuboDaemon.start()
}, 120_000)

afterAll(async () => {
  await Promise.all(servers.map(async (s) => { await s.stop() }))
  await kubo?.stop()
})

async function serve (config: Parameters<typeof startPinSvcServer>[0] = {}): Promise<{ url: string, fake: FakeCluster }> {
  const s = await startPinSvcServer(config, new KuboBackedCluster())
  servers.push(s.server)
  return s
}

/** Runs `ipfs …`; resolves with stdout, or rejects with stderr as the message. */
async function ipfs (...args: string[]): Promise<string> {
  try {
    return await kubo.cli(args)
  } catch (err) {
    throw new Error((err as { stderr?: string }).stderr ?? (err as Error).message)
  }
}

describe('Kubo remote pinning client against the pinning service API', () => {
  it('service add, add, ls, rm, stat (no auth configured: any token is accepted)', async () => {
    const { url, fake } = await serve()
    await ipfs('pin', 'remote', 'service', 'add', 'cluster', url, 'any-token')

    // A CID Kubo holds: Kubo sends its own addresses as origins; blocks until the cluster says pinned.
    const file = join(await mkdtemp(join(tmpdir(), 'pinsvc-')), 'a.txt')
    await writeFile(file, `remote pinning test ${Date.now()}\n`)
    const local = (await ipfs('add', '-q', '--pin=false', file)).trim()
    await rm(dirname(file), { recursive: true })
    const added = await ipfs('pin', 'remote', 'add', '--service=cluster', '--name=x', local)
    expect(added.trim()).toBe(`CID:    ${local}\nName:   x\nStatus: pinned`)
    const pin = fake.pins.get(local)
    expect(pin).toMatchObject({ name: 'x', mode: 'recursive' })
    expect(pin?.origins?.length).toBeGreaterThan(0)
    expect(pin?.origins?.every((o) => o.endsWith(`/p2p/${kubo.peerId}`))).toBe(true)

    // Kubo does not need the block to ask for a remote pin.
    fake.statuses.set(C2, new Map([[P1, 'pin_queued']]))
    const queued = await ipfs('pin', 'remote', 'add', '--service=cluster', '--background', '--name=y', C2)
    expect(queued.trim()).toBe(`CID:    ${C2}\nName:   y\nStatus: queued`)
    expect(fake.pins.has(C2)).toBe(true)

    const all = await ipfs('pin', 'remote', 'ls', '--service=cluster', '--status=queued,pinning,pinned,failed')
    expect(all.trim().split('\n').sort()).toEqual([`${C2}\tqueued\ty`, `${local}\tpinned\tx`].sort())
    expect(await ipfs('pin', 'remote', 'ls', '--service=cluster')).toBe(`${local}\tpinned\tx\n`)
    expect(await ipfs('pin', 'remote', 'ls', '--service=cluster', '--status=queued', '--enc=json')).toBe(`{"Status":"queued","Cid":"${C2}","Name":"y"}\n`)
    expect(await ipfs('pin', 'remote', 'service', 'ls', '--stat')).toBe(`cluster ${url} 1/0/1/0\n`)

    await ipfs('pin', 'remote', 'rm', '--service=cluster', `--cid=${local}`)
    expect(fake.pins.has(local)).toBe(false)
    await ipfs('pin', 'remote', 'rm', '--service=cluster', '--status=queued', `--cid=${C2}`)
    expect(fake.pins.size).toBe(0)
    expect(await ipfs('pin', 'remote', 'ls', '--service=cluster', '--status=queued,pinning,pinned,failed')).toBe('')
    await ipfs('pin', 'remote', 'service', 'rm', 'cluster')
  }, 60_000)

  it('a blocking add waits while queued and fails when the cluster reports an error', async () => {
    const { url, fake } = await serve()
    await ipfs('pin', 'remote', 'service', 'add', 'waiting', url, 't')
    fake.statuses.set(C3, new Map([[P1, 'pin_queued']]))
    const timer = setTimeout(() => { fake.statuses.delete(C3) }, 800)
    const started = Date.now()
    expect(await ipfs('pin', 'remote', 'add', '--service=waiting', C3)).toContain('Status: pinned')
    expect(Date.now() - started).toBeGreaterThanOrEqual(700)
    clearTimeout(timer)

    fake.statuses.set(C2, new Map([[P1, 'pin_error']]))
    await expect(ipfs('pin', 'remote', 'add', '--service=waiting', C2)).rejects.toThrow(`remote service failed to pin requestid="${C2}"`)
    await ipfs('pin', 'remote', 'service', 'rm', 'waiting')
  }, 60_000)

  it('with basic auth configured: a JWT from POST /token works, a bad token is refused', async () => {
    const { url, fake } = await serve({ basicAuthCredentials: { admin: 's3cret' } })
    const res = await fetch(`${url}/token`, { method: 'POST', headers: { Authorization: 'Basic ' + Buffer.from('admin:s3cret').toString('base64') } })
    const { token } = await res.json() as { token: string }
    await ipfs('pin', 'remote', 'service', 'add', 'secure', url, token)
    await ipfs('pin', 'remote', 'add', '--service=secure', '--background', '--name=s', C2)
    expect(fake.pins.get(C2)?.name).toBe('s')
    expect(await ipfs('pin', 'remote', 'ls', '--service=secure')).toBe(`${C2}\tpinned\ts\n`)

    await ipfs('pin', 'remote', 'service', 'add', 'wrong', url, 'not-a-jwt')
    await expect(ipfs('pin', 'remote', 'ls', '--service=wrong')).rejects.toThrow(/unauthorized: invalid token/)
    await ipfs('pin', 'remote', 'service', 'rm', 'secure')
    await ipfs('pin', 'remote', 'service', 'rm', 'wrong')
  }, 60_000)
})
