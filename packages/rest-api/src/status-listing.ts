/**
 * `GET /pins` (rest-api.md §4.8): the status of given CIDs (asked in parallel, streamed as they
 * finish), or of every pin through a shared streamed pass (SharedStreams): requests asking for
 * the same filter and `local` share one fan-out, encoded once and streamed as it goes.
 */
import { globalPinInfoJson } from '@cluster/api'
import type { CID, ClusterApi, GlobalPinInfo } from '@cluster/api'
import type { RouteDeps } from './routes.ts'
import { yieldTurn } from './shared-pass.ts'
import { SharedStreams } from './shared-stream.ts'

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

/** Characters of NDJSON gathered into one chunk (one write). */
const LINES_BATCH_CHARS = 16 * 1024
/** A partial chunk goes out with the next line once this long passed since the last one. */
const LINES_WAIT_MS = 200

const passes = new WeakMap<RouteDeps, SharedStreams>()

export function statusPasses (d: RouteDeps): SharedStreams {
  let p = passes.get(d)
  if (p === undefined) passes.set(d, p = new SharedStreams(d.limiter.sharedListings))
  return p
}

/**
 * Every status of a `GET /pins` (filter, local) encoded once, for every request of the pass,
 * streamed in chunks of NDJSON lines (a chunk goes out when it is full or when the statuses
 * pause, so the first lines are not held back). A failure is thrown after the lines before it.
 */
export async function * statusLines (cluster: ClusterApi, filter: number, local: boolean, sig: AbortSignal): AsyncGenerator<string> {
  let batch = ''
  let n = 0
  let sent = 0
  try {
    for await (const info of cluster.statusAll(filter, { local, signal: sig })) {
      batch += globalPinInfoJson(info) + '\n'
      // The first line at once, then full chunks (or what a slow stream gathered meanwhile).
      if (n === 0 || batch.length >= LINES_BATCH_CHARS || performance.now() - sent > LINES_WAIT_MS) {
        yield batch
        batch = ''
        sent = performance.now()
      }
      if (++n % 256 === 0) await yieldTurn()
    }
  } catch (err) {
    if (batch !== '') yield batch
    throw err
  }
  if (batch !== '') yield batch
}
