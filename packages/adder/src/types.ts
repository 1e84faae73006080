import type { CID } from '@cluster/api'

/** One block of the DAG being added. */
export interface Block {
  cid: CID
  bytes: Uint8Array
}

/**
 * Receives every block of the DAG once (deduplicated by CID within one add), in production
 * order (children before parents); awaiting put() is the backpressure. Calls never overlap.
 */
export interface BlockSink {
  put: (block: Block) => Promise<void>
}

/**
 * One node added: a file, a directory, the wrapper (name ''), or a progress entry (cid
 * undefined, bytes > 0). size = cumulative DAG size (Tsize) of the node, 0 for progress entries.
 */
export interface AddedNode {
  name: string
  cid: CID | undefined
  bytes: number
  size: number
}

export interface AddOptions {
  /** Aborting stops reading the upload and rejects the iterator with AddAbortedError. */
  signal?: AbortSignal
}
