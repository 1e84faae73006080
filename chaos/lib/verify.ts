// The end of a scenario: within a bounded wait, every peer must list every acknowledged pin in
// `GET /allocations`, and every peer must hold the same pinset as the leader (caught up).
import { sleep } from '../../bench/lib/load.ts'
import type { ChaosCluster } from './cluster.ts'

export interface Verdict {
  /** Acknowledged pins missing from at least one answering peer's `GET /allocations`. */
  lost: number
  /** Acknowledged pins missing from every answering peer (gone from the cluster). */
  lostEverywhere: number
  /** Acknowledged pins missing per peer (-1: no answer). */
  missing: number[]
  /** Peers whose pinset differs from the reference, or that did not answer. */
  notCaughtUp: number[]
  /** Pins listed per peer (-1: no answer). */
  counts: number[]
  /** A few of the pins behind `notCaughtUp`: `peerN lacks <cid>` or `peerN alone has <cid>`. */
  differences: string[]
  /** Why a peer did not answer. */
  errors: string[]
  /** How long the wait took, in seconds. */
  seconds: number
}

/**
 * Polls every peer until all are caught up and no acknowledged pin is missing, or `waitMs`
 * passes; the verdict describes the last poll. `onPoll` sees each poll's (a slow catch-up shows
 * as counts rising; a stuck one as counts that do not move). The reference pinset is the
 * leader's (the largest one when no leader is known).
 */
export async function verify (cluster: ChaosCluster, acked: string[], waitMs: number, onPoll?: (v: Verdict) => void): Promise<Verdict> {
  const started = Date.now()
  const deadline = started + waitMs
  while (true) {
    const t0 = Date.now()
    const sets = await Promise.all(cluster.peers.map(async p => await cluster.allocations(p.index, Math.max(5_000, deadline - t0))))
    const verdict = judge(sets, acked, cluster.leader(), started)
    const done = verdict.lost === 0 && verdict.notCaughtUp.length === 0
    onPoll?.(verdict)
    if (done || Date.now() >= deadline) return verdict
    // Listing a big pinset costs the peers time: poll at most every second, and no more often
    // than one listing takes.
    await sleep(Math.min(Math.max(1_000, Date.now() - t0), deadline - Date.now()))
  }
}

function judge (sets: Array<Set<string> | Error>, acked: string[], leader: number | undefined, started: number): Verdict {
  const answered = sets.filter((s): s is Set<string> => !(s instanceof Error))
  const fromLeader = leader === undefined ? undefined : sets[leader]
  const reference = fromLeader instanceof Set ? fromLeader : answered.reduce<Set<string>>((a, b) => b.size > a.size ? b : a, new Set())
  let lost = 0
  let lostEverywhere = 0
  const missingPerPeer: number[] = sets.map(s => s instanceof Error ? -1 : 0)
  for (const cid of acked) {
    let missing = 0
    for (const [i, s] of sets.entries()) {
      if (s instanceof Error || s.has(cid)) continue
      missing++
      missingPerPeer[i] = (missingPerPeer[i] ?? 0) + 1
    }
    // With no peer answering, no acknowledged pin can be shown to exist.
    if (missing > 0 || answered.length === 0) lost++
    if (missing === answered.length) lostEverywhere++
  }
  const notCaughtUp = sets.flatMap((s, i) => s instanceof Error || !sameSet(s, reference) ? [i] : [])
  const differing: Array<{ peer: number, cid: string, has: boolean }> = []
  for (const [i, s] of sets.entries()) {
    if (s instanceof Error) continue
    for (const cid of reference) if (differing.length < 6 && !s.has(cid)) differing.push({ peer: i, cid, has: false })
    for (const cid of s) if (differing.length < 6 && !reference.has(cid)) differing.push({ peer: i, cid, has: true })
  }
  const differences = differing.map(d =>
    `peer${d.peer} ${d.has ? 'alone has' : 'lacks'} ${d.cid} (${acked.includes(d.cid) ? '' : 'not '}acknowledged)`)
  return {
    differences,
    lost,
    lostEverywhere,
    missing: missingPerPeer,
    notCaughtUp,
    counts: sets.map(s => s instanceof Error ? -1 : s.size),
    errors: sets.map(s => s instanceof Error ? s.message.slice(0, 200) : ''),
    seconds: (Date.now() - started) / 1000
  }
}

function sameSet (a: Set<string>, b: Set<string>): boolean {
  if (a.size !== b.size) return false
  for (const x of a) if (!b.has(x)) return false
  return true
}
