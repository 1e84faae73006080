/**
 * `GET /pins` of the Pinning Service API without `cid`. Every listing needs the status of every
 * pin (a fan-out to all peers whose cost grows with the pinset), so requests asking for the same
 * statuses share one pass over `statusAll` (SharedPasses). The pass's statuses are sorted once;
 * each request gets references to at most `limit` of them (each encoded to JSON once, when first
 * written), and requests with the same filters share their answer.
 */
import { stringifyJson } from '@cluster/api'
import type { ClusterApi } from '@cluster/api'
import { matchesListFilters } from './query.ts'
import type { PinSvcListOptions } from './query.ts'
import { pinStatusOfGlobal, trackerFilterOf } from './status.ts'
import { encodePinSvcPinStatus } from './types.ts'
import type { PinSvcPinStatus } from './types.ts'
import { SharedPasses, yieldTurn } from '../shared-pass.ts'

/** A status of a pass with its JSON, encoded when first written. */
export class ListedStatus {
  readonly status: PinSvcPinStatus
  #json: string | undefined

  constructor (status: PinSvcPinStatus) {
    this.status = status
  }

  get json (): string {
    this.#json ??= stringifyJson(encodePinSvcPinStatus(this.status))
    return this.#json
  }
}

export interface ListingResult {
  count: number
  /** Newest first, at most `limit`. */
  results: ListedStatus[]
}

/** One pass: every status with a Pinning Service status, newest first, and the answers given. */
interface ListingPass {
  items: ListedStatus[]
  /** Answers by request options: requests with the same filters share one. */
  answers: Map<string, ListingResult>
}

/** How often (in statuses) a pass lets the event loop run. */
const YIELD_EVERY = 256

/** The filters and limit of a request, as a key: requests with equal keys get the same answer. */
function optionsKey (o: PinSvcListOptions): string {
  return JSON.stringify([o.name, o.match, o.before?.toJSON(), o.after?.toJSON(), o.limit, Object.entries(o.meta)])
}

function answerOf (pass: ListingPass, opts: PinSvcListOptions): ListingResult {
  const key = optionsKey(opts)
  let answer = pass.answers.get(key)
  if (answer === undefined) {
    answer = { count: 0, results: [] }
    for (const item of pass.items) {
      if (!matchesListFilters(item.status, opts)) continue
      answer.count++
      if (answer.results.length < opts.limit) answer.results.push(item)
    }
    pass.answers.set(key, answer)
  }
  return answer
}

export class PinListings {
  readonly #cluster: ClusterApi
  readonly #passes: SharedPasses<ListingPass>

  /** @param maxWaiting requests served or waiting at once; more are refused. */
  constructor (cluster: ClusterApi, maxWaiting: number) {
    this.#cluster = cluster
    this.#passes = new SharedPasses(maxWaiting)
  }

  /** Requests served or waiting now. */
  get waiting (): number { return this.#passes.waiting }

  /** The listing for `opts`; undefined when too many are waiting (refuse the request). */
  list (opts: PinSvcListOptions, signal: AbortSignal): Promise<ListingResult> | undefined {
    const filter = trackerFilterOf(opts.statuses)
    const pass = this.#passes.join(String(filter), signal, async (sig) => await this.#collect(filter, sig))
    return pass?.then(p => answerOf(p, opts))
  }

  /** Every status with a Pinning Service status, newest first (ties in arrival order: a stable sort). */
  async #collect (filter: number, signal: AbortSignal): Promise<ListingPass> {
    const items: ListedStatus[] = []
    let seen = 0
    for await (const gpi of this.#cluster.statusAll(filter, { signal })) {
      if (signal.aborted) break
      if (++seen % YIELD_EVERY === 0) await yieldTurn()
      const status = pinStatusOfGlobal(gpi)
      if (status !== undefined) items.push(new ListedStatus(status))
    }
    items.sort((a, b) => b.status.created.compare(a.status.created))
    return { items, answers: new Map() }
  }
}
