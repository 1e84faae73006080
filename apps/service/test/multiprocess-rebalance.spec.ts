/**
 * A rebalance interrupted by SIGKILL of the daemon running it: the daemon persisted its progress
 * (`rebalance.json` in its data folder) and continues on its next start, and no pin has fewer than 2
 * copies in the Kubos at any time, the restart included.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { until } from '@cluster/test-utils'
import type { LocalPeer } from '../dev/local-cluster.ts'
import { STEP_MOVES } from '../src/cluster/rebalance/rebalancer.ts'
import { localClusterFixture } from './helpers/local-cluster.ts'
import { allocationsOf, countsOf, heldBy, pinsOnTwoOfThree, rebalanceConfig, sampleCopies } from './helpers/rebalance.ts'

/** About twice the moves one step makes, so the kill lands while moves are left. */
const PINS = 3 * STEP_MOVES

/** Reads NDJSON lines of `res` until `stop` says so; the rest of the body is left unread. */
async function readUntil (res: Response, stop: (line: Record<string, unknown>) => boolean): Promise<Array<Record<string, unknown>>> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader()
  const decoder = new TextDecoder()
  const lines: Array<Record<string, unknown>> = []
  let buffered = ''
  for (;;) {
    const { value, done } = await reader.read()
    if (done === true) return lines
    buffered += decoder.decode(value, { stream: true })
    let nl: number
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>
      buffered = buffered.slice(nl + 1)
      lines.push(line)
      if (stop(line)) { void reader.cancel().catch(() => {}); return lines }
    }
  }
}

describe('a rebalance interrupted by kill -9', () => {
  const fx = localClusterFixture('multiprocess-rebalance-', { peers: 3, metrics: ['freespace', 'tag:group'], configure: rebalanceConfig })

  it('continues after the restart of the daemon running it, never below 2 copies', async () => {
    const cids = await pinsOnTwoOfThree(fx.cluster, PINS)
    const [p0, , p2] = fx.cluster.peers as [LocalPeer, LocalPeer, LocalPeer]
    const progressFile = join(p0.folder, 'raft', 'rebalance.json')
    const sampler = sampleCopies(fx.cluster, cids)

    const res = await fetch(`${p0.restUrl}/pins/rebalance`, { method: 'POST' })
    expect(res.status).toBe(200)
    // The first step's moves are reported once the step is done; the next step is under way.
    const seen = await readUntil(res, line => line.result === 'moved')
    expect(seen.at(-1)?.result).toBe('moved')
    await fx.cluster.kill(p0.index)
    const left = JSON.parse(readFileSync(progressFile, 'utf8')) as { done: number, inFlight: unknown[] }
    expect(left.done).toBe(STEP_MOVES)
    expect(left.inFlight.length).toBeGreaterThan(0)

    await fx.cluster.startPeer(p0.index)
    await fx.cluster.waitReady(fx.cluster.peers)
    await until(async () => existsSync(progressFile) ? undefined : true, 'the resumed rebalance to finish', 120_000)
    const log = readFileSync(join(p0.folder, 'daemon.log'), 'utf8')
    expect(log).toMatch(new RegExp(`rebalance: resuming \\(${STEP_MOVES} moves done, \\d+ in progress\\)`))
    expect(log).toMatch(/rebalance finished: \d+ moved, 0 failed/)

    // Every pin has its 2 allocations, pinned in those Kubos. (An old copy on the killed peer
    // may stay: an unpin its tracker had not done when killed is not redone when it starts.)
    const allocations = await allocationsOf(fx.cluster.peers[1] as LocalPeer)
    await until(async () => {
      const held = await heldBy(fx.cluster)
      const placed = (cid: string, peer: LocalPeer): boolean => (allocations.get(cid) ?? []).includes(peer.id) ? held.get(peer.id)?.has(cid) === true : peer === p0 || held.get(peer.id)?.has(cid) !== true
      return cids.every(cid => fx.cluster.peers.every(peer => placed(cid, peer))) ? true : undefined
    }, 'the allocated Kubos to hold every pin, the others (but the killed one) none', 30_000)
    const { fewest, samples } = await sampler.stop()
    expect(samples).toBeGreaterThan(10)
    expect(fewest).toBe(2)
    expect([...allocations.values()].every(a => a.length === 2)).toBe(true)
    // 2 × PINS copies over 3 peers: the new peer took its share (a third, give or take a few).
    expect(countsOf(allocations)[p2.id]).toBeGreaterThanOrEqual(Math.floor(2 * PINS / 3) - 4)
  }, 300_000)
})
