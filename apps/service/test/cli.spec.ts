import { cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultPinOptions, parseCid } from '@cluster/api'
import { until } from '@cluster/test-utils'
import { main } from '../src/cli/main.ts'
import { startDaemon } from '../src/cli/daemon.ts'
import { acquireLock } from '../src/cli/lock.ts'
import { capture } from './helpers/capture.ts'
import { kuboEnvFixture } from './helpers/kubo-env.ts'

describe('ipfs-cluster-service', () => {
  const env = kuboEnvFixture('service-cli-')

  it('prints its version, and refuses an unknown consensus and unknown flags with clear errors', async () => {
    const io = capture()
    expect(await main(['--version'], io)).toBe(0)
    expect(io.stdout).toBe('ipfs-cluster-service version 1.1.6\n')
    const bad = capture()
    expect(await main(['-c', join(env.dir, 'x'), 'init', '--consensus', 'paxos'], bad)).toBe(1)
    expect(bad.stderr).toContain("flag value must be set to 'raft' or 'crdt'")
    expect(await main(['--bogus', 'version'], capture())).toBe(2)
    expect(await main([], capture())).toBe(1)
  })

  it('runs no command when a flag is unknown: a mistyped daemon flag starts no peer, a mistyped init writes nothing', async () => {
    const folder = join(env.dir, 'typo')
    const daemon = capture()
    // Would start a peer (and never return) if the command ran.
    expect(await main(['-c', folder, 'daemon', '--bootstrapp', '/ip4/127.0.0.1/tcp/1'], daemon)).toBe(2)
    expect(daemon.stderr).toBe('Incorrect Usage: Unknown argument: bootstrapp\n')
    expect(await main(['-c', folder, 'init', '--randomport'], capture())).toBe(2)
    expect(existsSync(join(folder, 'service.json'))).toBe(false)
    const exported = capture()
    expect(await main(['-c', folder, 'state', 'export', '--fil', 'x'], exported)).toBe(2)
    expect(exported.stdout).toBe('')
  })

  it.each(['raft', 'crdt'])('state import (%s): --rmin, --rmax and --allocations override every pin, a CID given twice keeps the later, a pin may span lines', async (consensus) => {
    const folder = join(env.dir, `import-overrides-${consensus}`)
    expect(await main(['-c', folder, 'init', '--consensus', consensus, '--randomports'], capture())).toBe(0)
    const self = (JSON.parse(readFileSync(join(folder, 'identity.json'), 'utf8')) as { id: string }).id
    const pin = (cid: string, name: string): Record<string, unknown> => ({
      replication_factor_min: 1, replication_factor_max: 1, name, mode: 'recursive', shard_size: 0, user_allocations: null,
      expire_at: '0001-01-01T00:00:00Z', metadata: { k: name }, pin_update: null, origins: [], cid, type: 'pin',
      allocations: ['12D3KooWQuajcAJFCqMA9FzSCmeu2NDiAG4YUp2RVgooKB82UKRg'], max_depth: -1, reference: null, timestamp: '2026-01-01T00:00:00Z'
    })
    const a = 'bafkreiaru4gzzcp5ihosqthr3qmbxv53y5gvhoa3d2a6ep3f3k4dx2xcd4'
    const b = 'QmSZNMb8uztNA4S2yzEKQtSoEc1VPAxog91JAjR9Ye1deS'
    const file = join(env.dir, 'overrides.json')
    writeFileSync(file, `${JSON.stringify(pin(a, 'first'))}\n${JSON.stringify(pin(b, 'b'), null, 2)}\n${JSON.stringify(pin(a, 'later'))}\n`)
    const exported = async (): Promise<Array<Record<string, unknown>>> => {
      const out = capture()
      expect(await main(['-c', folder, 'state', 'export'], out)).toBe(0)
      return out.stdout.trim().split('\n').map(l => JSON.parse(l) as Record<string, unknown>)
    }

    expect(await main(['-c', folder, 'state', 'import', '-f', file], capture())).toBe(0)
    // Listed in key order: the CID text's under Raft, the state key's under CRDT (as Go's).
    const plain = (await exported()).sort((x, y) => String(x.cid) < String(y.cid) ? -1 : 1)
    expect(plain.map(p => [p.cid, p.name, p.replication_factor_min, p.replication_factor_max, p.allocations])).toEqual([
      [b, 'b', 1, 1, ['12D3KooWQuajcAJFCqMA9FzSCmeu2NDiAG4YUp2RVgooKB82UKRg']],
      [a, 'later', 1, 1, ['12D3KooWQuajcAJFCqMA9FzSCmeu2NDiAG4YUp2RVgooKB82UKRg']]
    ].sort((x, y) => String(x[0]) < String(y[0]) ? -1 : 1))

    // Go drops allocations that are not peer IDs.
    expect(await main(['-c', folder, 'state', 'import', '-f', file, '--rmin', '2', '--rmax', '3', '--allocations', `${self}, not-a-peer`], capture())).toBe(0)
    const overridden = await exported()
    expect(overridden).toHaveLength(2)
    for (const p of overridden) {
      expect([p.replication_factor_min, p.replication_factor_max, p.allocations]).toEqual([2, 3, [self]])
      expect(p.metadata).toEqual({ k: p.name })
    }
    expect(overridden.find(p => p.cid === a)?.name).toBe('later')
  }, 60_000)

  it('refuses to start on a data folder holding a Go peer\'s Raft store, and releases the folder', async () => {
    const folder = join(env.dir, 'from-go')
    expect(await main(['-c', folder, 'init', '--consensus', 'raft', '--randomports'], capture())).toBe(0)
    mkdirSync(join(folder, 'raft'))
    writeFileSync(join(folder, 'raft', 'raft.db'), Buffer.alloc(32_768, 7))
    const io = capture()
    expect(await main(['-c', folder, 'daemon'], io)).toBe(1)
    expect(io.stderr).toMatch(/error creating cluster peer: .*raft\.db.*state export/)
    // The execution lock was released: a second attempt fails the same way, not on the lock.
    const again = capture()
    expect(await main(['-c', folder, 'daemon'], again)).toBe(1)
    expect(again.stderr).not.toContain('execution lock')
  }, 60_000)

  it('says so when the data folder belongs to another cluster, and keeps running without a leader', async () => {
    const first = join(env.dir, 'cluster-a')
    const second = join(env.dir, 'cluster-b')
    for (const f of [first, second]) expect(await main(['-c', f, 'init', '--consensus', 'raft', '--randomports'], capture())).toBe(0)
    const a = await startDaemon(first, {}, capture())
    await a.stop()
    cpSync(join(first, 'raft'), join(second, 'raft'), { recursive: true })
    const io = capture()
    const b = await startDaemon(second, {}, io, { ...process.env, CLUSTER_RAFT_WAITFORLEADERTIMEOUT: '2s' })
    try {
      expect(io.stderr).toContain(`WARN this peer (${b.peer.peerId}) is not among the Raft members stored in ${join(second, 'raft')} (${a.peer.peerId})`)
      expect(io.stderr).toContain('** IPFS Cluster is READY **')
    } finally {
      await b.stop()
    }
  }, 60_000)

  it('a daemon removed from the cluster stops every server it started, cleans its Raft folder and releases its lock', async () => {
    const [a, b] = [join(env.dir, 'removal-a'), join(env.dir, 'removal-b')]
    for (const f of [a, b]) expect(await main(['-c', f, 'init', '--consensus', 'raft', '--randomports'], capture())).toBe(0)
    // Same cluster secret on both.
    const secretOf = (f: string): string => (JSON.parse(readFileSync(join(f, 'service.json'), 'utf8')) as { cluster: { secret: string } }).cluster.secret
    const bConfig = JSON.parse(readFileSync(join(b, 'service.json'), 'utf8')) as { cluster: { secret: string } }
    bConfig.cluster.secret = secretOf(a)
    writeFileSync(join(b, 'service.json'), JSON.stringify(bConfig))

    const first = await startDaemon(a, {}, capture())
    try {
      const addr = `${first.peer.host.getMultiaddrs()[0]?.toString() ?? ''}`
      let removed: () => void = () => {}
      const wasRemoved = new Promise<void>(resolve => { removed = resolve })
      const second = await startDaemon(b, { bootstrap: addr, onRemoved: () => { removed() } }, capture())
      const urls = [second.restApi, second.pinSvcApi].map(api => api?.addresses[0]?.url)
      expect(urls.every(u => u !== undefined)).toBe(true)
      for (const url of urls) expect((await fetch(`${url}/id`)).status).toBeLessThan(500)

      await first.peer.peerRemove(second.peer.peerId)
      await wasRemoved
      // Both HTTP servers (the Pinning Service API too) are closed…
      for (const url of urls) await expect(fetch(`${url}/id`)).rejects.toThrow()
      // …the Raft folder is gone (no snapshot: deleted, as Go's Clean) and the lock is free.
      expect(existsSync(join(b, 'raft'))).toBe(false)
      const release = await acquireLock(b)
      await release()
      await second.stop() // after removal: nothing left to stop
    } finally {
      await first.stop()
    }
  }, 120_000)

  it('init writes service.json, identity.json and the peerstore; daemon serves the REST API; state export → cleanup → import round-trips', async () => {
    const folder = join(env.dir, 'peer0')
    const init = capture()
    expect(await main(['-c', folder, 'init', '--consensus', 'raft', '--randomports'], init)).toBe(0)
    expect(init.stderr).toContain(`configuration written to ${folder}/service.json.`)
    expect(statSync(join(folder, 'service.json')).mode & 0o777).toBe(0o600)
    expect(statSync(join(folder, 'identity.json')).mode & 0o777).toBe(0o600)

    const daemonIo = capture()
    const daemon = await startDaemon(folder, {}, daemonIo)
    try {
      expect(daemonIo.stderr).toContain('** IPFS Cluster is READY **')
      // A second daemon on the same folder is refused by the execution lock.
      await expect(startDaemon(folder, {}, capture())).rejects.toThrow(/error obtaining execution lock/)

      const url = `http://${daemon.restApi?.addresses[0]?.host ?? ''}:${daemon.restApi?.addresses[0]?.port ?? ''}`
      const id = await (await fetch(`${url}/id`)).json() as { id: string, peername: string }
      expect(id.id).toBe(daemon.peer.peerId)

      const form = new FormData()
      form.append('file', new Blob([`state round trip ${Date.now()}`]))
      const { Key } = await env.kubo.rpc<{ Key: string }>('block/put', { 'cid-codec': 'raw' }, form)
      const res = await fetch(`${url}/pins/${Key}?name=roundtrip`, { method: 'POST' })
      expect(res.status).toBe(200)
      expect((await daemon.peer.allocation(parseCid(Key))).name).toBe('roundtrip')
      await daemon.peer.pin(parseCid('QmSZNMb8uztNA4S2yzEKQtSoEc1VPAxog91JAjR9Ye1deS'), { ...defaultPinOptions(), name: 'second' })

      // The IPFS proxy answers pin/ls from the cluster's pinset.
      const proxyAddr = daemon.proxy?.addresses[0]
      const listed = await (await fetch(`http://${proxyAddr?.host ?? ''}:${proxyAddr?.port ?? ''}/api/v0/pin/ls?arg=${Key}`, { method: 'POST' })).json() as { Keys: Record<string, { Type: string }> }
      expect(listed.Keys[Key]).toMatchObject({ Type: 'recursive' })

      // The Pinning Service API (init writes its section) answers from the same cluster.
      const svc = daemon.pinSvcApi?.addresses[0]
      const svcUrl = `http://${svc?.host ?? ''}:${svc?.port ?? ''}`
      const status = await (await fetch(`${svcUrl}/pins/${Key}`)).json() as { requestid: string, pin: { name: string }, status: string }
      expect(status).toMatchObject({ requestid: Key, pin: { name: 'roundtrip' } })
      const listAll = await (await fetch(`${svcUrl}/pins?status=queued,pinning,pinned,failed`)).json() as { count: number }
      expect(listAll.count).toBe(2)
    } finally {
      await daemon.stop()
    }

    const exported = capture()
    expect(await main(['-c', folder, 'state', 'export'], exported)).toBe(0)
    const lines = exported.stdout.trim().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines.map(l => (JSON.parse(l) as { name: string }).name).sort()).toEqual(['roundtrip', 'second'])

    expect(await main(['-c', folder, 'state', 'cleanup', '-f'], capture())).toBe(0)
    const empty = capture()
    expect(await main(['-c', folder, 'state', 'export'], empty)).toBe(0)
    expect(empty.stdout).toBe('')

    const file = join(env.dir, 'export.jsonl')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(file, exported.stdout)
    const imported = capture()
    expect(await main(['-c', folder, 'state', 'import', '-f', file], imported)).toBe(0)
    const again = capture()
    expect(await main(['-c', folder, 'state', 'export'], again)).toBe(0)
    expect(again.stdout).toBe(exported.stdout)

    // The imported pinset is what the daemon serves after a restart, and what it pins: Kubo lost
    // the pin meanwhile, and the one check of every pin after the start pins it again (the
    // restore of the snapshot at start does not start a second one).
    const roundtrip = parseCid(lines.map(l => JSON.parse(l) as { name: string, cid: string }).find(p => p.name === 'roundtrip')?.cid ?? '')
    await env.kubo.rpc('pin/rm', { arg: roundtrip.toString() })
    const restarted = await startDaemon(folder, {}, capture())
    try {
      const names = []
      for await (const p of restarted.peer.allocations(30)) names.push(p.name)
      expect(names.sort()).toEqual(['roundtrip', 'second'])
      await until(async () => {
        const ls = await env.kubo.rpc<{ Keys: Record<string, unknown> }>('pin/ls', { arg: roundtrip.toString(), type: 'recursive' }).catch(() => undefined)
        return ls?.Keys[roundtrip.toString()] !== undefined ? true : undefined
      }, 'the imported pin pinned again in Kubo', 20_000, 200)
      await new Promise(resolve => setTimeout(resolve, 1_500))
      expect(restarted.peer.recoverRuns).toBe(1)
    } finally {
      await restarted.stop()
    }

    writeFileSync(file, 'not exactly json')
    const bad = capture()
    expect(await main(['-c', folder, 'state', 'import', '-f', file], bad)).toBe(1)
    expect(bad.stderr).toContain('error importing state')
  }, 120_000)
})
