/**
 * `GET /pins` of the Pinning Service API without `cid`. Every listing needs the status of every
 * pin (a fan-out to all peers whose cost grows with the pinset), so requests asking for the same
 * statuses share one pass over `statusAll` (SharedPasses). The pass's statuses are sorted once;
 * each request gets references to at most `limit` of them (each encoded to JSON once, when first
 * written), and requests with the same filters share their answer.
 *
 * A listing filtered by an exact or partial name, or by metadata, first asks the pinset's search
 * index (when the cluster has one) for the CIDs that can match: when they are few, only their
 * statuses are asked, not every pin's.
 */
import { stringifyJson } from '@cluster/api'
import type { ClusterApi, PinSearch } from '@cluster/api'
import { matchesListFilters } from './query.ts'
import type { PinSvcListOptions } from './query.ts'
import { pinStatusOfGlobal, trackerFilterOf } from './status.ts'
import { encodePinSvcPinStatus } from './types.ts'
import type { PinSvcPinStatus } from './types.ts'
import { SharedPasses, yieldTurn } from '../shared-pass.ts'
import { statusesOf } from '../search-routes.ts'

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

/** Most candidates a listing asks the statuses of through the index; more take the shared pass. */
const INDEXED_MAX = 1000

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
    const candidates = this.#candidates(opts)
    if (candidates !== undefined) return this.#collect(filter, signal, candidates).then(p => answerOf(p, opts))
    const pass = this.#passes.join(String(filter), signal, async (sig) => await this.#collect(filter, sig))
    return pass?.then(p => answerOf(p, opts))
  }

  /**
   * The CIDs that can match the name and metadata filters, from the index; undefined when there
   * is no index, no such filter, or too many candidates. Case-insensitive names are left to the
   * full pass (Go folds Unicode case, SQLite only ASCII), and so is a metadata value of `""`
   * (Go's filter then also matches pins without the key).
   */
  #candidates (opts: PinSvcListOptions): string[] | undefined {
    const index = this.#cluster.pinSearch
    if (index === undefined) return undefined
    const search: PinSearch = {}
    if (opts.name !== '' && (opts.match === 'exact' || opts.match === 'partial')) {
      search.name = { match: opts.match === 'exact' ? 'exact' : 'contains', value: opts.name }
    }
    const meta = Object.entries(opts.meta).filter(([, v]) => v !== '')
    if (meta.length > 0) search.metadata = meta
    if (search.name === undefined && search.metadata === undefined) return undefined
    const end = index.pageEnd(search, INDEXED_MAX)
    if (end.more) return undefined
    return end.last === undefined ? [] : [...index.searchCids(search)].flat()
  }

  /**
   * Every status (of `cids` only, when given) with a Pinning Service status, newest first (ties
   * in arrival order: a stable sort).
   */
  async #collect (filter: number, signal: AbortSignal, cids?: string[]): Promise<ListingPass> {
    const items: ListedStatus[] = []
    let seen = 0
    const statuses = cids === undefined ? this.#cluster.statusAll(filter, { signal }) : statusesOf(this.#cluster, [cids], filter, false, signal)
    for await (const gpi of statuses) {
      if (signal.aborted) break
      if (++seen % YIELD_EVERY === 0) await yieldTurn()
      const status = pinStatusOfGlobal(gpi)
      if (status !== undefined) items.push(new ListedStatus(status))
    }
    items.sort((a, b) => b.status.created.compare(a.status.created))
    return { items, answers: new Map() }
  }
}
