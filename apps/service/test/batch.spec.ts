/**
 * Batch pinning (`POST /pins` with many items) against real daemons (2 peers, a Kubo each):
 * a 10,000-item batch, bad items beside good ones, malformed bodies, and our ctl reading CIDs
 * from a file and from stdin.
 */
import { execFile, spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { CID } from '@cluster/api'
import { localClusterFixture, oneReplicaQuickMetrics } from './helpers/local-cluster.ts'

const run = promisify(execFile)
const CTL = join(import.meta.dirname, '..', '..', 'ctl', 'src', 'cli.ts')

interface ResultLine { index: number, cid: string, op: string, pin?: { cid: string, name: string, metadata: Record<string, string> | null, allocations: string[] }, error?: { code: number, message: string } }

/** Identity CIDs: Kubo pins them at once, with no block to fetch. */
function identityCid (text: string): string {
  const bytes = new TextEncoder().encode(text)
  return CID.decode(Uint8Array.from([0x01, 0x55, 0x00, bytes.length, ...bytes])).toString()
}

async function results (res: Response): Promise<ResultLine[]> {
  expect(res.status).toBe(200)
  return (await res.text()).split('\n').filter(l => l !== '').map(l => JSON.parse(l) as ResultLine).sort((a, b) => a.index - b.index)
}

describe('batch pinning on 2 daemons', () => {
  // Allocation needs every peer's metrics (replication 2 items need both peers).
  const fx = localClusterFixture('batch-', {
    peers: 2,
    metrics: ['freespace'],
    configure: oneReplicaQuickMetrics
  })
  const post = async (body: string, type = 'application/json'): Promise<Response> =>
    await fetch(`${fx.p0.restUrl}/pins`, { method: 'POST', body, headers: { 'Content-Type': type }, signal: AbortSignal.timeout(120_000) })
  const count = async (query = ''): Promise<number> => {
    const res = await fetch(`${fx.p0.restUrl}/allocations${query}`)
    return res.status === 204 ? 0 : (await res.text()).split('\n').filter(l => l !== '').length
  }

  it('pins 10,000 CIDs from one JSON array, each with its own options, one result each', async () => {
    const items = Array.from({ length: 10_000 }, (_, i) => ({
      cid: identityCid(`batch pin ${i}`), name: `big-${i}`, metadata: { shard: String(i % 8) }, ...(i % 1000 === 0 ? { 'replication-min': 2, 'replication-max': 2 } : {})
    }))
    const lines = await results(await post(JSON.stringify(items)))
    expect(lines).toHaveLength(10_000)
    expect(lines.filter(l => l.error !== undefined)).toEqual([])
    lines.forEach((l, i) => {
      expect(l.index).toBe(i)
      expect(l.pin?.cid).toBe(items[i]?.cid)
      expect(l.pin?.name).toBe(`big-${i}`)
      expect(l.pin?.allocations).toHaveLength(i % 1000 === 0 ? 2 : 1)
    })
    expect(await count('?name-prefix=big-')).toBe(10_000)
    expect(await count('?meta-shard=3')).toBe(1250)
    // The other peer applied the same entries.
    const other = await fetch(`${fx.cluster.peers[1]!.restUrl}/allocations?name-prefix=big-&limit=1`)
    expect(other.headers.get('x-next-cursor')).not.toBeNull()
  }, 180_000)

  it('gives each bad item its own error and commits the others (JSON array and NDJSON)', async () => {
    const good = (i: number): string => identityCid(`mixed ${i}`)
    const body = [
      { cid: good(0), name: 'ok-0' },
      { cid: 'not-a-cid', name: 'bad' },
      { cid: good(1), 'replication-min': 'lots' },
      { cid: good(2), colour: 'blue' },
      { cid: good(3), op: 'unpin' },
      { cid: good(4), op: 'move' },
      { cid: good(0), name: 'again' },
      'just text',
      { cid: good(5), name: 'ok-5', 'expire-in': '1h', metadata: { team: 'x' } },
      { cid: good(6), metadata: { team: 7 } }
    ]
    const lines = await results(await post(JSON.stringify(body)))
    expect(lines.map(l => [l.index, l.error?.code ?? 200])).toEqual([[0, 200], [1, 400], [2, 400], [3, 400], [4, 404], [5, 400], [6, 400], [7, 400], [8, 200], [9, 400]])
    expect(lines[1]?.error?.message).toMatch(/error decoding Cid/)
    expect(lines[2]?.error?.message).toBe('parameter replication-min invalid')
    expect(lines[3]?.error?.message).toMatch(/unknown item key "colour"/)
    expect(lines[4]?.error?.message).toBe('pin is not part of the pinset')
    expect(lines[5]?.error?.message).toMatch(/"op" must be "pin" or "unpin"/)
    expect(lines[6]?.error?.message).toMatch(/appears more than once in this batch/)
    expect(lines[9]?.error?.message).toMatch(/metadata "team" must be a string/)
    expect(lines[8]?.pin?.metadata).toEqual({ team: 'x' })
    expect((await (await fetch(`${fx.p0.restUrl}/allocations/${good(0)}`)).json() as { name: string }).name).toBe('ok-0')
    expect((await fetch(`${fx.p0.restUrl}/allocations/${good(2)}`)).status).toBe(404)

    // NDJSON: unpins and a line that is not JSON.
    const ndjson = [JSON.stringify({ cid: good(0), op: 'unpin' }), '{"cid": ', JSON.stringify({ cid: good(5), op: 'unpin' })].join('\n') + '\n'
    const unpinned = await results(await post(ndjson, 'application/x-ndjson'))
    expect(unpinned.map(l => [l.index, l.op, l.error?.code ?? 200])).toEqual([[0, 'unpin', 200], [1, 'pin', 400], [2, 'unpin', 200]])
    expect(unpinned[1]?.error?.message).toMatch(/line 2 is not JSON/)
    expect((await fetch(`${fx.p0.restUrl}/allocations/${good(5)}`)).status).toBe(404)
  })

  it('refuses malformed and oversized bodies as a whole', async () => {
    const cases: Array<[string, number, RegExp]> = [
      ['', 400, /empty batch/],
      ['   \n ', 400, /empty batch/],
      ['[]', 400, /empty batch: no items/],
      ['[{"cid": "x"', 400, /error decoding request body/],
      [JSON.stringify(Array.from({ length: 10_001 }, (_, i) => ({ cid: identityCid(`over ${i}`) }))), 413, /at most 10000 items/],
      [' '.repeat(17 * 1024 * 1024), 413, /request body too large/]
    ]
    for (const [body, status, message] of cases) {
      const res = await post(body)
      expect(res.status, body.slice(0, 20)).toBe(status)
      expect((await res.json() as { message: string }).message).toMatch(message)
    }
    // Go's routes are untouched: a single pin still answers its pin.
    const one = await fetch(`${fx.p0.restUrl}/pins/${identityCid('single')}?name=single`, { method: 'POST' })
    expect(one.status).toBe(200)
  })

  it('ipfs-cluster-ctl pin add / pin rm read CIDs from a file (--from-file) and from stdin (-)', async () => {
    const host = ['--host', fx.p0.restApi]
    const cids = Array.from({ length: 300 }, (_, i) => identityCid(`ctl ${i}`))
    const file = join(fx.base, 'cids.txt')
    writeFileSync(file, cids.slice(0, 200).join('\n') + '\n\n')
    const added = await run(process.execPath, ['--conditions=source', CTL, ...host, 'pin', 'add', '--from-file', file, '--name', 'from-file', '--metadata', 'src=ctl'])
    expect(added.stdout.trim().split('\n')).toHaveLength(200)
    expect(await count('?name=from-file&meta-src=ctl')).toBe(200)

    const stdin = async (args: string[], input: string): Promise<{ code: number | null, stdout: string, stderr: string }> => {
      const child = spawn(process.execPath, ['--conditions=source', CTL, ...host, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (b: Buffer) => { stdout += b.toString() })
      child.stderr.on('data', (b: Buffer) => { stderr += b.toString() })
      child.stdin.end(input)
      const code = await new Promise<number | null>(resolve => child.on('close', resolve))
      return { code, stdout, stderr }
    }
    const more = await stdin(['pin', 'add', '--name', 'from-stdin', '-'], cids.slice(200).join('\n') + '\nnot-a-cid\n')
    expect(more.code).toBe(1)
    expect(more.stderr).toContain('not-a-cid: error decoding Cid')
    expect(more.stderr).toContain('error pinning: 1 of 101 items failed')
    expect(await count('?name=from-stdin')).toBe(100)

    const removed = await stdin(['pin', 'rm', '-'], cids.join('\n'))
    expect(removed.code).toBe(0)
    expect(await count('?name=from-file')).toBe(0)
    expect(await count('?name=from-stdin')).toBe(0)
  })
})
