/**
 * A running rebalance, persisted in the data folder (`rebalance.json`) so that a daemon that
 * stops (or crashes) in the middle continues it on its next start: the request, how many moves
 * are done (the limit counts them), and the moves of the step in progress, whose pins may hold
 * both their old and new allocations.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseCid, parsePeerId, Timestamp, type PeerId, type PinSearch, type RebalanceMove, type RebalanceRequest } from '@cluster/api'

export const REBALANCE_FILE = 'rebalance.json'

export interface RebalanceProgress {
  request: RebalanceRequest
  /** Moves finished (moved or failed) by earlier steps. */
  done: number
  /** The step in progress. */
  inFlight: RebalanceMove[]
}

interface StoredMove { cid: string, name: string, from: string[], to: string[] }

const TIME_KEYS = ['expireBefore', 'expireAfter', 'before', 'after'] as const

function encodeSearch (s: PinSearch): Record<string, unknown> {
  const out: Record<string, unknown> = { ...s }
  for (const key of TIME_KEYS) if (s[key] !== undefined) out[key] = s[key].unixNanos.toString()
  return out
}

function decodeSearch (v: Record<string, unknown>): PinSearch {
  const out = { ...v } as PinSearch & Record<string, unknown>
  for (const key of TIME_KEYS) if (typeof v[key] === 'string') out[key] = Timestamp.fromUnixNanos(BigInt(v[key]))
  if (Array.isArray(v.allocations)) out.allocations = (v.allocations as string[]).map(p => parsePeerId(p))
  return out
}

const encodeMove = (m: RebalanceMove): StoredMove => ({ cid: m.cid.toString(), name: m.name, from: m.from, to: m.to })
const decodeMove = (m: StoredMove): RebalanceMove => ({ cid: parseCid(m.cid), name: m.name, from: m.from.map(p => parsePeerId(p) as PeerId), to: m.to.map(p => parsePeerId(p) as PeerId) })

export class RebalanceStore {
  private readonly path: string

  constructor (dataDir: string) {
    this.path = join(dataDir, REBALANCE_FILE)
  }

  /** The unfinished rebalance, if any. A file that cannot be read is reported, not resumed. */
  load (): RebalanceProgress | undefined {
    if (!existsSync(this.path)) return undefined
    const v = JSON.parse(readFileSync(this.path, 'utf8')) as { version: number, request: { search: Record<string, unknown>, limit?: number }, done: number, inFlight: StoredMove[] }
    if (v.version !== 1) throw new Error(`${this.path}: unknown version ${String(v.version)}`)
    return {
      request: { search: decodeSearch(v.request.search), ...(v.request.limit === undefined ? {} : { limit: v.request.limit }), dryRun: false },
      done: v.done,
      inFlight: v.inFlight.map(decodeMove)
    }
  }

  /** Replaces the file at once (a crash leaves the old or the new one, never half). */
  save (p: RebalanceProgress): void {
    const text = JSON.stringify({
      version: 1,
      request: { search: encodeSearch(p.request.search), ...(p.request.limit === undefined ? {} : { limit: p.request.limit }) },
      done: p.done,
      inFlight: p.inFlight.map(encodeMove)
    })
    writeFileSync(`${this.path}.tmp`, text, { mode: 0o600 })
    renameSync(`${this.path}.tmp`, this.path)
  }

  clear (): void {
    rmSync(this.path, { force: true })
  }
}
