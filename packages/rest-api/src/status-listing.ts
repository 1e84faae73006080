/**
 * `GET /pins` (rest-api.md §4.8): the status of given CIDs (asked in parallel, streamed as they
 * finish), or of every pin through a shared pass (SharedPasses): requests asking for the same
 * filter and `local` share one fan-out, encoded once.
 */
import { encodeGlobalPinInfo } from '@cluster/api'
import type { CID, ClusterApi, GlobalPinInfo } from '@cluster/api'
import { jsonBody } from './respond.ts'
import type { RouteDeps } from './routes.ts'
import { SharedPasses, yieldTurn } from './shared-pass.ts'

/** Mode B of `GET /pins`: the status of each given CID, in parallel, streamed as they finish. */
export function statusOfCids (cluster: ClusterApi, cids: CID[], local: boolean, sig: AbortSignal): { items: AsyncIterable<GlobalPinInfo>, errors: string[] } {
  const errors: string[] = []
  async function * items (): AsyncGenerator<GlobalPinInfo> {
    const pending = new Map<number, Promise<{ i: number, v?: GlobalPinInfo }>>()
    cids.forEach((cid, i) => {
      pending.set(i, cluster.status(cid, { local, signal: sig }).then(
        (v) => ({ i, v }),
        (err: unknown) => { errors.push(err instanceof Error ? err.message : String(err)); return { i } }
      ))
    })
    while (pending.size > 0) {
      const done = await Promise.race(pending.values())
      pending.delete(done.i)
      if (done.v !== undefined) yield done.v
    }
  }
  return { items: items(), errors }
}

/** A pass over every pin's status: its NDJSON lines in batches, and the failure that ended it early. */
export interface StatusLines {
  batches: string[]
  error?: unknown
}

/** Characters of NDJSON gathered into one batch (one write). */
const LINES_BATCH_CHARS = 16 * 1024

const passes = new WeakMap<RouteDeps, SharedPasses<StatusLines>>()

export function statusPasses (d: RouteDeps): SharedPasses<StatusLines> {
  let p = passes.get(d)
  if (p === undefined) passes.set(d, p = new SharedPasses(d.limiter.sharedListings))
  return p
}

/** Every status of a `GET /pins` (filter, local) encoded once, for every request of the pass. */
export async function statusLines (cluster: ClusterApi, filter: number, local: boolean, sig: AbortSignal): Promise<StatusLines> {
  const batches: string[] = []
  let batch = ''
  let n = 0
  try {
    for await (const info of cluster.statusAll(filter, { local, signal: sig })) {
      batch += jsonBody(encodeGlobalPinInfo(info))
      if (batch.length >= LINES_BATCH_CHARS) { batches.push(batch); batch = '' }
      if (++n % 256 === 0) await yieldTurn()
    }
  } catch (err) {
    if (batch !== '') batches.push(batch)
    return { batches, error: err }
  }
  if (batch !== '') batches.push(batch)
  return { batches }
}

export async function * replay (pass: StatusLines): AsyncGenerator<string> {
  yield * pass.batches
  if (pass.error !== undefined) throw pass.error
}

