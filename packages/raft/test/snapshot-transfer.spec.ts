import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { Libp2pTransport } from '../src/libp2p-transport.ts'
import { SnapshotFolder, decodeDescriptor } from '../src/snapshot-files.ts'
import { SnapshotTransferError } from '../src/transport-errors.ts'

const dirs: string[] = []
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

async function pair (): Promise<{ server: Libp2pTransport, client: Libp2pTransport, serverId: string, stop: () => Promise<void> }> {
  const nodes = await Promise.all([0, 1].map(async () => await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] }, transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()]
  })))
  const [a, b] = nodes as [typeof nodes[0], typeof nodes[0]]
  await b.peerStore.merge(a.peerId, { multiaddrs: a.getMultiaddrs() })
  const server = await Libp2pTransport.create(a)
  const client = await Libp2pTransport.create(b)
  return { server, client, serverId: a.peerId.toString(), stop: async () => { await Promise.all([server.close(), client.close()]); await Promise.all(nodes.map(async n => await n.stop())) } }
}

describe('snapshot files over libp2p', () => {
  it('a slow reader gets a 24 MiB file whole, in bounded windows, resumes from an offset, and a wrong hash is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snapshot-transfer-'))
    dirs.push(dir)
    const source = new SnapshotFolder(join(dir, 'leader'))
    const content = randomBytes(24 * 1024 * 1024)
    const temp = source.tempPath()
    writeFileSync(temp, content)
    const data = await source.seal(temp, 42)
    const d = decodeDescriptor(data)!
    expect(d.size).toBe(content.length)
    const { server, client, serverId, stop } = await pair()
    try {
      server.serveSnapshotFiles(name => source.pathOfName(name))
      // A reader far slower than the network: with no window it would overflow its stream buffer.
      let slept = 0
      const hash = createHash('sha256')
      let got = 0
      for await (const chunk of client.readSnapshotFile(serverId, d.name, 0)) {
        hash.update(chunk)
        got += chunk.byteLength
        if (slept++ < 20) await new Promise(resolve => setTimeout(resolve, 50))
      }
      expect(got).toBe(content.length)
      expect(hash.digest('hex')).toBe(d.sha256)

      // Resuming: a part file holding the first 5 MiB is completed and sealed.
      const follower = new SnapshotFolder(join(dir, 'follower'))
      writeFileSync(join(follower.dir, `${d.name}.part`), content.subarray(0, 5 * 1024 * 1024))
      let fetched = 0
      await follower.fetch(d, (name, offset) => {
        expect(offset).toBe(5 * 1024 * 1024)
        return (async function * () { for await (const c of client.readSnapshotFile(serverId, name, offset)) { fetched += c.byteLength; yield c } })()
      })
      expect(fetched).toBe(content.length - 5 * 1024 * 1024)
      expect(follower.has(d)).toBe(true)

      // Content that does not match the descriptor's hash is discarded, not installed.
      const other = new SnapshotFolder(join(dir, 'other'))
      await expect(other.fetch({ ...d, sha256: '0'.repeat(64) }, (name, offset) => client.readSnapshotFile(serverId, name, offset))).rejects.toThrow(/does not match its hash/)
      expect(other.has(d)).toBe(false)
      // A file the server does not have is a clear transfer error.
      await expect(other.fetch({ ...d, name: 'snapshot-000000000099-abc' }, (name, offset) => client.readSnapshotFile(serverId, name, offset))).rejects.toBeInstanceOf(SnapshotTransferError)
    } finally {
      await stop()
    }
  }, 60_000)
})
