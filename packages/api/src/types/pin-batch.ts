/**
 * Batch pinning (an extension beyond Go's API: `POST /pins` with many items, rest-api README):
 * each item pins or unpins one CID with its own options; each gets its own result.
 */
import type { CID } from '../cid.ts'
import type { Pin, PinOptions } from './pin.ts'

export interface BatchItem {
  op: 'pin' | 'unpin'
  cid: CID
  /** As `POST /pins/{cid}` takes them (ignored for unpins). */
  options: PinOptions
}

/** The outcome of the item at `index` of the batch: the pin as committed, or why not. */
export interface BatchItemResult {
  index: number
  pin?: Pin
  error?: Error
}
