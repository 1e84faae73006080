/**
 * One step of a rebalance: a few moves done together. The pins first get their new peers added
 * to the old ones (one batch of commits); once every new peer's tracker shows the pin `pinned`,
 * a second batch leaves only the new allocation. A pin thus never has fewer pinned copies than
 * before the move. A move whose new peers do not pin in time goes back to its old allocation.
 */
import type { CID, PeerId, Pin, RebalanceMove, RebalanceResult } from '@cluster/api'

/** What a step needs from the cluster peer. */
export interface StepHost {
  get: (cid: CID) => Pin | undefined
  /** Commits the pins (one batch); throws when the batch fails. */
  commit: (pins: Pin[]) => Promise<void>
  /** Each peer's tracker status of the CID (`pinned`, `pinning`, …). */
  statuses: (cid: CID) => Promise<Record<string, string>>
  /** How long new peers may take to pin before the move is given up. */
  moveTimeoutMs: number
  /** The longest wait between two looks at the new peers' statuses. */
  pollMs: number
}

/** The first wait for the new peers to pin; it doubles up to `pollMs`. */
const FIRST_POLL_MS = 25

export interface StepOutcome { move: RebalanceMove, result: RebalanceResult, error?: string }

function sameSet (a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every(p => b.includes(p))
}

/** The allocation while both old and new peers hold the pin: the new ones first. */
export function unionOf (move: RebalanceMove): PeerId[] {
  return [...move.to, ...move.from.filter(p => !move.to.includes(p))]
}

const withAllocations = (pin: Pin, allocations: PeerId[]): Pin => ({ ...pin, allocations })

async function pinnedOnTargets (host: StepHost, move: RebalanceMove): Promise<boolean> {
  try {
    const statuses = await host.statuses(move.cid)
    return move.to.every(p => statuses[p] === 'pinned')
  } catch {
    return false
  }
}

/**
 * Runs the moves (also those of a step interrupted by a restart: a pin found with both
 * allocations continues from the wait, one found on its new allocation is done).
 */
export async function runStep (host: StepHost, moves: RebalanceMove[], signal?: AbortSignal): Promise<StepOutcome[]> {
  const outcomes = new Map<RebalanceMove, StepOutcome>()
  const adding: Pin[] = []
  const waiting: RebalanceMove[] = []
  for (const move of moves) {
    const pin = host.get(move.cid)
    const current = pin?.allocations ?? []
    if (pin !== undefined && sameSet(current, move.from)) {
      adding.push(withAllocations(pin, unionOf(move)))
      waiting.push(move)
    } else if (pin !== undefined && sameSet(current, unionOf(move))) {
      waiting.push(move)
    } else if (pin !== undefined && sameSet(current, move.to)) {
      outcomes.set(move, { move, result: 'moved' })
    } else {
      outcomes.set(move, { move, result: 'skipped', error: pin === undefined ? 'unpinned meanwhile' : 'allocations changed meanwhile' })
    }
  }
  // A failed commit stops the rebalance (the step stays persisted and is continued later).
  if (adding.length > 0) await host.commit(adding)

  const pending = new Set(waiting)
  const ready: RebalanceMove[] = []
  const deadline = Date.now() + host.moveTimeoutMs
  let polls = 0
  while (pending.size > 0 && Date.now() < deadline && signal?.aborted !== true) {
    const checks = await Promise.all([...pending].map(async m => [m, await pinnedOnTargets(host, m)] as const))
    for (const [move, pinned] of checks) {
      if (!pinned) continue
      pending.delete(move)
      ready.push(move)
    }
    // The new peers usually pin within milliseconds: look again soon, then less often.
    if (pending.size > 0) await new Promise(resolve => setTimeout(resolve, Math.min(host.pollMs, FIRST_POLL_MS * 2 ** polls++)))
  }
  // Interrupted: the pins keep both allocations; a resumed rebalance continues them.
  if (signal?.aborted === true) throw signal.reason

  const final: Pin[] = []
  const finalMoves: Array<[RebalanceMove, 'moved' | 'failed']> = []
  for (const [move, result] of [...ready.map(m => [m, 'moved'] as const), ...[...pending].map(m => [m, 'failed'] as const)]) {
    const pin = host.get(move.cid)
    if (pin === undefined || !sameSet(pin.allocations ?? [], unionOf(move))) {
      outcomes.set(move, { move, result: 'skipped', error: pin === undefined ? 'unpinned meanwhile' : 'allocations changed meanwhile' })
      continue
    }
    final.push(withAllocations(pin, result === 'moved' ? move.to : move.from))
    finalMoves.push([move, result])
  }
  if (final.length > 0) await host.commit(final)
  for (const [move, result] of finalMoves) {
    if (result === 'failed') outcomes.set(move, { move, result, error: `the new peers did not pin it within ${host.moveTimeoutMs / 1000} s` })
    else outcomes.set(move, { move, result })
  }
  return moves.map(m => outcomes.get(m) as StepOutcome)
}
