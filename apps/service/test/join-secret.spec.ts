/**
 * Joining (`daemon --bootstrap`) with a cluster secret other than the cluster's: libp2p private
 * networks cannot tell a wrong key from noise, so the join error must name the secret itself.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { until } from '@cluster/test-utils'
import { ClusterPeer } from '../src/cluster/index.ts'
import { ClusterSecretMismatchError } from '../src/cluster/errors.ts'
import { SECRET } from './helpers/cluster.ts'

describe('joining with another cluster secret', () => {
  const peers: ClusterPeer[] = []
  let dir: string
  let first: ClusterPeer
  let addr: string

  /** A peer without a Kubo (nothing listens on port 9): joining does not need one. */
  async function peer (name: string, secret: string, bootstrap?: string[]): Promise<ClusterPeer> {
    const p = await ClusterPeer.start({
      secret, listen: ['/ip4/127.0.0.1/tcp/0'], dataDir: join(dir, name), peername: name,
      privateKey: await generateKeyPair('Ed25519'),
      raft: { heartbeatTimeoutMs: 300, waitForLeaderTimeoutMs: 20_000 },
      monitorPingIntervalMs: 500, checkIntervalMs: 500, informerTtlMs: 5_000,
      ipfs: { nodeMultiaddress: '/ip4/127.0.0.1/tcp/9', ipfsRequestTimeoutMs: 2_000, pinTimeoutMs: 2_000 },
      ...(bootstrap === undefined ? {} : { bootstrap })
    })
    peers.push(p)
    return p
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'join-secret-'))
    first = await peer('first', SECRET)
    await first.consensus.waitForLeader()
    addr = first.host.getMultiaddrs()[0]!.toString()
  }, 60_000)

  afterAll(async () => {
    await Promise.all(peers.map(async p => { await p.stop() }))
    rmSync(dir, { recursive: true, force: true })
  }, 60_000)

  it.each([
    ['a different secret', 'b'.repeat(64)],
    ['no secret', '']
  ])('with %s, the join fails saying the cluster secret probably differs', async (_name, secret) => {
    const err = await peer(`other-${secret.length}`, secret, [addr]).then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(ClusterSecretMismatchError)
    expect((err as Error).message).toContain(`could not join the cluster through ${addr}`)
    expect((err as Error).message).toContain('the cluster secret probably differs')
    expect(first.peerset()).toEqual([first.peerId])
  }, 30_000)

  it('does not blame the secret when nothing answers at the address', async () => {
    const nowhere = `/ip4/127.0.0.1/tcp/9/p2p/${first.peerId}`
    const err = await peer('nowhere', SECRET, [nowhere]).then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(Error)
    expect(err).not.toBeInstanceOf(ClusterSecretMismatchError)
    expect((err as Error).message).not.toContain('secret')
  }, 30_000)

  it('with the same secret, the join succeeds', async () => {
    const joiner = await peer('joiner', SECRET, [addr])
    expect(first.peerset().sort()).toEqual([first.peerId, joiner.peerId].sort())
    await until(async () => joiner.peerset().length === 2 ? true : undefined, 'the joiner to see both members')
  }, 30_000)
})
