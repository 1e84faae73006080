/**
 * A search over the pinset (an extension beyond Go's API: `GET /allocations` and `GET /pins`
 * with filters, rest-api README). Every given criterion must hold; pins come in CID order.
 */
import type { PeerId } from '../peer-id.ts'
import type { Timestamp } from '../timestamp.ts'
import type { PinTypeFilter } from './pin-type.ts'

export type NameMatch = 'exact' | 'prefix' | 'contains'

export interface PinSearch {
  /** Pin types wanted (`/allocations?filter=`); all when absent. */
  types?: PinTypeFilter
  /** The pin's name compared with `value` (case-sensitive). */
  name?: { match: NameMatch, value: string }
  /** Each [key, value] must be in the pin's metadata. */
  metadata?: Array<[string, string]>
  /** Allocated to at least one of these peers. */
  allocations?: PeerId[]
  /** `expire_at` strictly before / after (pins that never expire match neither). */
  expireBefore?: Timestamp
  expireAfter?: Timestamp
  /** The pin's `timestamp` strictly before / after. */
  before?: Timestamp
  after?: Timestamp
  /** Only CIDs (strings) greater than `afterCid` and, when set, not greater than `throughCid`. */
  afterCid?: string
  throughCid?: string
}

/** An index of the pinset answering searches with flat memory (pages read as consumed). */
export interface PinSearchIndex {
  /**
   * Where the page of the first `limit` matches ends: its last CID (undefined: no match) and
   * whether more matches follow it.
   */
  pageEnd: (search: PinSearch, limit: number) => { last: string | undefined, more: boolean }
  /** The matching pins as stored (REST `Pin` JSON), as chunks of whole NDJSON lines. */
  searchJson: (search: PinSearch) => Iterable<string>
  /** The matching CIDs (strings), a page at a time. */
  searchCids: (search: PinSearch) => Iterable<string[]>
}
