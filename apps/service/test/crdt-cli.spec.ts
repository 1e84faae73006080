// ipfs-cluster-service with CRDT consensus, as a user following Go's documentation meets it:
// `init` (CRDT by default), `daemon`, then the state commands on the stopped peer, Go's `state
// crdt` maintenance commands included.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { freePort, runGoCtl } from '@cluster/test-utils'
import { main } from '../src/cli/main.ts'
import { startDaemon } from '../src/cli/daemon.ts'
import { capture } from './helpers/capture.ts'
import { kuboEnvFixture } from './helpers/kubo-env.ts'

describe('ipfs-cluster-service with CRDT consensus', () => {
  const env = kuboEnvFixture('service-crdt-')

  it('init defaults to crdt; pins survive a restart; export → cleanup → import round-trips; state crdt info, dot, mark-dirty', async () => {
    const folder = join(env.dir, 'peer0')
    expect(await main(['-c', folder, 'init', '--randomports'], capture())).toBe(0)
    expect(Object.keys((JSON.parse(readFileSync(join(folder, 'service.json'), 'utf8')) as { consensus: object }).consensus)).toEqual(['crdt'])

    const metricsPort = await freePort()
    const daemon = await startDaemon(folder, { stats: true }, capture(), { ...process.env, CLUSTER_METRICS_PROMETHEUSENDPOINT: `/ip4/127.0.0.1/tcp/${metricsPort}` })
    const restApi = daemon.restApi?.addresses[0]
    const host = `/ip4/${restApi?.host ?? ''}/tcp/${restApi?.port ?? ''}`
    try {
      for (const [cid, name] of [['QmSZNMb8uztNA4S2yzEKQtSoEc1VPAxog91JAjR9Ye1deS', 'first'], ['bafkqaaa', 'second']] as const) {
        const added = await runGoCtl(['--host', host, 'pin', 'add', '--no-status', '--name', name, cid])
        expect(added.code, added.stderr).toBe(0)
      }
      const id = await runGoCtl(['--host', host, 'id'])
      expect(id.stdout).toContain(daemon.peer.peerId)
      // --stats: the DAG of two single-pin deltas, clean.
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()
      expect(metrics).toMatch(/^ipfscluster_crdt_heads 1$/m)
      expect(metrics).toMatch(/^ipfscluster_crdt_max_height 2$/m)
      expect(metrics).toMatch(/^ipfscluster_crdt_dirty 0$/m)
      expect(metrics).toMatch(/^ipfscluster_pins 2$/m)
    } finally {
      await daemon.stop()
    }

    const exported = capture()
    expect(await main(['-c', folder, 'state', 'export'], exported)).toBe(0)
    const names = exported.stdout.trim().split('\n').map(l => (JSON.parse(l) as { name: string }).name).sort()
    expect(names).toEqual(['first', 'second'])

    const info = capture()
    expect(await main(['-c', folder, 'state', 'crdt', 'info'], info)).toBe(0)
    expect(info.stdout).toMatch(/^Number of heads: 1\. Current max-height: 2\. Dirty: false\nHeads: \[bafy\w+\]\n$/)
    const dot = capture()
    expect(await main(['-c', folder, 'state', 'crdt', 'dot'], dot)).toBe(0)
    expect(dot.stdout).toMatch(/^digraph CRDTDAG \{\n/)
    expect(dot.stdout).toContain('[label="2 | ')
    expect(await main(['-c', folder, 'state', 'crdt', 'mark-dirty'], capture())).toBe(0)
    const dirty = capture()
    expect(await main(['-c', folder, 'state', 'crdt', 'info'], dirty)).toBe(0)
    expect(dirty.stdout).toContain('Dirty: true')
    expect(await main(['-c', folder, 'state', 'crdt', 'mark-clean'], capture())).toBe(0)

    expect(await main(['-c', folder, 'state', 'cleanup', '-f'], capture())).toBe(0)
    const empty = capture()
    expect(await main(['-c', folder, 'state', 'export'], empty)).toBe(0)
    expect(empty.stdout).toBe('')

    const file = join(env.dir, 'crdt-export.jsonl')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(file, exported.stdout)
    expect(await main(['-c', folder, 'state', 'import', '-f', file], capture())).toBe(0)
    const again = capture()
    expect(await main(['-c', folder, 'state', 'export'], again)).toBe(0)
    expect(again.stdout).toBe(exported.stdout)
    // Go: one batch → one root block (priority 1).
    const imported = capture()
    expect(await main(['-c', folder, 'state', 'crdt', 'info'], imported)).toBe(0)
    expect(imported.stdout).toContain('Number of heads: 1. Current max-height: 1.')

    const restarted = await startDaemon(folder, {}, capture())
    try {
      const ls = await runGoCtl(['--host', `/ip4/${restarted.restApi?.addresses[0]?.host ?? ''}/tcp/${restarted.restApi?.addresses[0]?.port ?? ''}`, 'pin', 'ls'])
      expect(ls.stdout).toContain('first')
      expect(ls.stdout).toContain('second')
    } finally {
      await restarted.stop()
    }
  }, 120_000)

  it('state crdt on a Raft peer fails with Go\'s message', async () => {
    const folder = join(env.dir, 'raft-peer')
    expect(await main(['-c', folder, 'init', '--consensus', 'raft', '--randomports'], capture())).toBe(0)
    const io = capture()
    expect(await main(['-c', folder, 'state', 'crdt', 'info'], io)).toBe(1)
    expect(io.stderr).toContain('crdt subcommands can only be run on peers initialized with crdt consensus')
  })
})
