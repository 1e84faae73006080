/**
 * Rebalance (`POST /pins/rebalance`, an extension beyond Go) against 3 daemons with a Kubo each:
 * pins made while the third peer was down are all on the first two; once it is back, a dry run
 * (curl) reports moves and changes nothing, bad input is refused, and our ctl's rebalance moves
 * pins onto it while every pin keeps its 2 copies in the Kubos. Go's ctl then shows them pinned.
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { runGoCtl, until } from '@cluster/test-utils'
import type { LocalPeer } from '../dev/local-cluster.ts'
import { localClusterFixture } from './helpers/local-cluster.ts'
import { allocationsOf, copies, countsOf, pinsOnTwoOfThree, rebalanceConfig, sampleCopies } from './helpers/rebalance.ts'

const run = promisify(execFile)
const CTL = join(import.meta.dirname, '..', '..', 'ctl', 'src', 'cli.ts')
const PINS = 12

interface MoveLine { cid: string, name: string, from: string[], to: string[], result: string, error?: string }
interface SummaryLine { summary: { checked: number, planned: number, moved: number, failed: number, skipped: number, dry_run: boolean } }

async function curl (url: string): Promise<{ status: number, body: string }> {
  const { stdout } = await run('curl', ['-sS', '-X', 'POST', '-w', '\n%{http_code}', url], { timeout: 120_000 })
  const at = stdout.lastIndexOf('\n')
  return { status: Number(stdout.slice(at + 1)), body: stdout.slice(0, at) }
}

describe('rebalance on 3 daemons', () => {
  const fx = localClusterFixture('rebalance-', { peers: 3, metrics: ['freespace', 'tag:group'], configure: rebalanceConfig })
  let cids: string[] = []
  let p2: LocalPeer

  it('reports the moves of a dry run and changes nothing (curl)', async () => {
    cids = await pinsOnTwoOfThree(fx.cluster, PINS)
    p2 = fx.cluster.peers[2] as LocalPeer
    const before = await allocationsOf(fx.p0)
    const { status, body } = await curl(`${fx.p0.restUrl}/pins/rebalance?dry-run=true&name-prefix=rebalance-`)
    expect(status).toBe(200)
    const lines = body.trim().split('\n').map(l => JSON.parse(l) as MoveLine | SummaryLine)
    const summary = (lines.pop() as SummaryLine).summary
    const moves = lines as MoveLine[]
    expect(summary).toMatchObject({ checked: PINS, dry_run: true, moved: 0 })
    expect(summary.planned).toBe(moves.length)
    // 24 copies over 3 peers: about a third goes to the new peer, one copy per moved pin.
    expect(moves.length).toBeGreaterThanOrEqual(6)
    for (const m of moves) {
      expect(m.result).toBe('planned')
      expect(m.name).toMatch(/^rebalance-/)
      expect(m.to).toHaveLength(2)
      expect(m.to).toContain(p2.id)
    }
    expect(await allocationsOf(fx.p0)).toEqual(before)
    // A limit bounds the moves.
    const limited = await curl(`${fx.p0.restUrl}/pins/rebalance?dry-run=true&limit=2`)
    expect(limited.body.trim().split('\n').map(l => JSON.parse(l) as MoveLine | SummaryLine).filter(l => 'result' in l)).toHaveLength(2)
  }, 240_000)

  it('refuses bad input with 400', async () => {
    for (const query of ['colour=blue', 'limit=0', 'limit=many', 'dry-run=maybe', 'cursor=abc', 'after=yesterday', 'allocation=nope', 'filter=nonsense']) {
      const { status, body } = await curl(`${fx.p0.restUrl}/pins/rebalance?${query}`)
      expect([query, status]).toEqual([query, 400])
      expect((JSON.parse(body) as { code: number }).code).toBe(400)
    }
    expect((await curl(`${fx.p0.restUrl}/pins/rebalance?colour=blue`)).body).toMatch(/unknown query parameter 'colour'/)
  })

  it('moves pins onto the new peer with our ctl, never below 2 copies, and Go\'s ctl shows them pinned', async () => {
    const sampler = sampleCopies(fx.cluster, cids)
    const { stdout } = await run(process.execPath, ['--conditions=source', CTL, '--host', fx.p0.restApi, 'rebalance', '--name-prefix', 'rebalance-'], { timeout: 180_000 })
    const { fewest, samples } = await sampler.stop()
    expect(samples).toBeGreaterThan(0)
    expect(fewest).toBe(2)
    const lines = stdout.trim().split('\n')
    const summary = lines.pop() as string
    expect(lines.length).toBeGreaterThanOrEqual(6)
    for (const line of lines) expect(line).toMatch(/^\S+ \| rebalance-\d+: moved \[\S+ \S+\] -> \[\S+ \S+\]$/)
    expect(summary).toBe(`rebalance: ${lines.length} moved, 0 failed, 0 skipped (${PINS} pins checked)`)

    const after = await allocationsOf(fx.p0)
    const counts = countsOf(after)
    expect(Object.values(counts).reduce((a, b) => a + b)).toBe(2 * PINS)
    expect(counts[p2.id]).toBe(lines.length)
    for (const peer of fx.cluster.peers) expect(counts[peer.id]).toBeGreaterThanOrEqual(6)
    expect(await copies(fx.cluster, cids)).toEqual(cids.map(() => 2))

    const status = await runGoCtl(['--host', fx.p0.restApi, '--enc', 'json', 'status', ...cids])
    expect(status.code).toBe(0)
    const infos = status.stdout.trim().split(/\n(?=\{)/).map(t => JSON.parse(t) as { cid: string, peer_map: Record<string, { status: string }> })
    for (const info of infos) {
      const pinned = Object.entries(info.peer_map).filter(([, s]) => s.status === 'pinned').map(([id]) => id).sort()
      expect(pinned).toEqual([...(after.get(info.cid) ?? [])].sort())
    }
    // Once the old peers' Kubos drop the unpinned blocks (Go's ctl runs the GC) and the free
    // space metrics show it, the cluster is balanced: a second rebalance plans nothing.
    expect((await runGoCtl(['--host', fx.p0.restApi, 'ipfs', 'gc'])).code).toBe(0)
    await until(async () => {
      const again = await curl(`${fx.p0.restUrl}/pins/rebalance?dry-run=true`)
      return (JSON.parse(again.body.trim().split('\n').pop() as string) as SummaryLine).summary.planned === 0 ? true : undefined
    }, 'a dry run with nothing to move', 30_000)
  }, 240_000)
})
