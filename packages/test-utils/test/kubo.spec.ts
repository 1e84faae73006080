import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { KuboDaemon, KuboRpcError, KuboStartError } from '@cluster/test-utils'

function isAlive (pid: number): boolean {
  try { process.kill(pid, 0); return true } catch { return false }
}

describe('KuboDaemon', () => {
  it('starts a real Kubo, adds and pins a block, lists it, and leaves nothing behind', async () => {
    const kubo = await KuboDaemon.start()
    try {
      expect(kubo.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(kubo.peerId).toMatch(/^12D3KooW/)
      expect(kubo.swarmAddresses[0]).toMatch(new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/\\d+/p2p/${kubo.peerId}$`))

      const form = new FormData()
      form.append('file', new Blob([`hello from the harness ${Date.now()}`]))
      const put = await kubo.rpc<{ Key: string, Size: number }>('block/put', { 'cid-codec': 'raw' }, form)
      expect(put.Key).toMatch(/^bafkrei/)

      const added = await kubo.rpc<{ Pins: string[] }>('pin/add', { arg: put.Key, recursive: 'false' })
      expect(added.Pins).toEqual([put.Key])

      const listed = await kubo.rpc<{ Keys: Record<string, { Type: string }> }>('pin/ls', { type: 'direct' })
      expect(listed.Keys[put.Key]).toMatchObject({ Type: 'direct' })
      // The `ipfs` CLI reaches the same daemon through the repository's api file.
      expect(await kubo.cli(['pin', 'ls', '--type=direct', '--quiet'])).toContain(put.Key)

      await expect(kubo.rpc('pin/ls', { arg: 'bafkreig6bm26z4gfprwdams273vb6strmhzg7yrfh6wdtvfqsa2x4zkylm' }))
        .rejects.toBeInstanceOf(KuboRpcError)
    } finally {
      await kubo.stop()
    }
    expect(isAlive(kubo.pid)).toBe(false)
    expect(existsSync(kubo.repoPath)).toBe(false)
  })

  it('connects two daemons on loopback and fetches a block across them', async () => {
    const [a, b] = await Promise.all([KuboDaemon.start(), KuboDaemon.start()])
    try {
      await a.connect(b)
      const form = new FormData()
      form.append('file', new Blob([`shared block ${Date.now()}`]))
      const { Key } = await b.rpc<{ Key: string }>('block/put', { 'cid-codec': 'raw' }, form)
      const stat = await a.rpc<{ Key: string, Size: number }>('block/stat', { arg: Key })
      expect(stat.Key).toBe(Key)
      const peers = await a.rpc<{ Peers: Array<{ Peer: string }> | null }>('swarm/peers')
      expect(peers.Peers?.map(p => p.Peer)).toContain(b.peerId)
    } finally {
      await Promise.all([a.stop(), b.stop()])
    }
  })

  it('reports a daemon that exits at start-up with its output, as a named error', async () => {
    const failure = KuboDaemon.start({ daemonArgs: ['--no-such-flag'] })
    await expect(failure).rejects.toBeInstanceOf(KuboStartError)
    await expect(failure).rejects.toThrow(/no-such-flag/)
  })
})
