/**
 * Pins that failed while the peer's Kubo was gone are pinned again as soon as Kubo is back, not
 * only at the next `pin_recover_interval` (12 min by default).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterAll, describe, expect, it } from 'vitest'
import { defaultPinOptions, parseCid, type CID } from '@cluster/api'
import { KuboDaemon, until } from '@cluster/test-utils'
import { ClusterPeer } from '../src/cluster/index.ts'
import { fastOptions } from './helpers/cluster.ts'

/** Starts (again) the Kubo of `repoPath`, its RPC API on `api` when given (the peer keeps that address). */
async function kuboAt (repoPath: string, api?: string): Promise<KuboDaemon> {
  if (api !== undefined) {
    const file = join(repoPath, 'config')
    const config = JSON.parse(readFileSync(file, 'utf8'))
    config.Addresses.API = api
    writeFileSync(file, JSON.stringify(config, null, 2))
  }
  return await KuboDaemon.start({ repoPath })
}

describe('a peer whose Kubo is killed under pin load and restarted', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubo-return-'))
  let kubo: KuboDaemon | undefined
  let peer: ClusterPeer | undefined

  afterAll(async () => {
    await peer?.stop()
    await kubo?.stop()
    rmSync(dir, { recursive: true, force: true })
  }, 60_000)

  it('pins what went to pin_error without a manual recover, well before pin_recover_interval', async () => {
    const repoPath = join(dir, 'kubo')
    kubo = await kuboAt(repoPath)
    const api = kubo.apiMultiaddr
    peer = await ClusterPeer.start({
      ...fastOptions(join(dir, 'peer'), kubo), privateKey: await generateKeyPair('Ed25519'), peername: 'peer0',
      pinRecoverIntervalMs: 10 * 60_000,
      ipfs: { nodeMultiaddress: api, pinTimeoutMs: 10_000, ipfsRequestTimeoutMs: 5_000 }
    })
    await peer.consensus.waitForLeader()
    const cids: CID[] = []
    for (let i = 0; i < 20; i++) {
      const form = new FormData()
      form.append('file', new Blob([`pinned while Kubo is gone ${i} ${Date.now()}`]))
      cids.push(parseCid((await kubo.rpc<{ Key: string }>('block/put', { 'cid-codec': 'raw' }, form)).Key))
    }
    const p = peer
    const statuses = async (): Promise<string[]> => await Promise.all(cids.map(async c => (await p.status(c)).peerMap?.[p.peerId]?.status ?? 'none'))

    await kubo.kill()
    for (const cid of cids) await peer.pin(cid, { ...defaultPinOptions(), name: 'under load' })
    await until(async () => (await statuses()).every(s => s === 'pin_error') ? true : undefined, 'every pin in pin_error while Kubo is dead', 30_000)

    kubo = await kuboAt(repoPath, api)
    // About 1 s here (the connector probes a silent Kubo every second); the interval is 10 min.
    await until(async () => (await statuses()).every(s => s === 'pinned') ? true : undefined, 'every pin pinned again within 10 s', 10_000)
    const inKubo = await kubo.rpc<{ Keys: Record<string, unknown> }>('pin/ls', { type: 'recursive' })
    for (const cid of cids) expect(Object.keys(inKubo.Keys)).toContain(cid.toString())
  }, 120_000)
})
