/**
 * Interoperability with go-libp2p's pnet: a real Kubo with a swarm.key in its repository is a
 * private-network node. Kubo's ping handler echoes every 32 bytes it reads, so a stream to it
 * carries arbitrary amounts of data both ways through the protector on each side.
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { KuboDaemon, ipfsBinary } from '@cluster/test-utils'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2p } from 'libp2p'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { preSharedKey } from '../src/index.ts'
import { SECRET_A, SECRET_B, swarmKey } from './helpers.ts'

const PING = '/ipfs/ping/1.0.0'

async function node (secret: string): Promise<Libp2p> {
  return await createLibp2p({
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionProtector: preSharedKey({ psk: swarmKey(secret) })
  })
}

describe('a Kubo (go-libp2p pnet) with the same swarm.key', () => {
  let repo: string
  let kubo: KuboDaemon
  const nodes: Libp2p[] = []

  beforeAll(async () => {
    repo = join(mkdtempSync(join(tmpdir(), 'pnet-kubo-')), 'repo')
    const env = { ...process.env, IPFS_PATH: repo, IPFS_TELEMETRY: 'off' }
    await promisify(execFile)(ipfsBinary(), ['init', '--profile=test'], { env })
    writeFileSync(join(repo, 'swarm.key'), swarmKey(SECRET_A))
    kubo = await KuboDaemon.start({ repoPath: repo })
  }, 90_000)

  afterAll(async () => {
    await Promise.all(nodes.map(async n => { await n.stop() }))
    await kubo?.stop()
    rmSync(join(repo, '..'), { recursive: true, force: true })
  }, 30_000)

  it('echoes 1 MiB sent in odd-sized chunks through its ping handler, byte for byte', async () => {
    const ours = await node(SECRET_A)
    nodes.push(ours)
    const stream = await ours.dialProtocol(multiaddr(kubo.swarmAddresses[0]!), PING, { signal: AbortSignal.timeout(10_000) })
    const sent = randomBytes(1024 * 1024)
    const sizes = [1, 31, 32, 33, 63, 64, 65, 4093, 65_537]
    const echoed: Uint8Array[] = []
    let got = 0
    const reading = (async () => {
      for await (const chunk of stream) {
        echoed.push(chunk.subarray())
        got += chunk.byteLength
        if (got >= sent.byteLength) break
      }
    })()
    for (let at = 0, k = 0; at < sent.byteLength; k++) {
      const size = Math.min(sizes[k % sizes.length]!, sent.byteLength - at)
      if (!stream.send(sent.subarray(at, at + size))) await stream.onDrain()
      at += size
    }
    await reading
    expect(Buffer.concat(echoed).equals(sent)).toBe(true)
    // Kubo sees us as a peer of its private network.
    const peers = await kubo.rpc<{ Peers: Array<{ Peer: string }> | null }>('swarm/peers')
    expect((peers.Peers ?? []).map(p => p.Peer)).toContain(ours.peerId.toString())
    stream.abort(new Error('done'))
  }, 60_000)

  it('refuses a node with another key, and neither side crashes', async () => {
    const stranger = await node(SECRET_B)
    nodes.push(stranger)
    await expect(stranger.dial(multiaddr(kubo.swarmAddresses[0]!), { signal: AbortSignal.timeout(10_000) })).rejects.toThrow()
    expect(stranger.getConnections()).toHaveLength(0)
    expect((await kubo.rpc<{ ID: string }>('id')).ID).toBe(kubo.peerId)
  }, 30_000)
})
