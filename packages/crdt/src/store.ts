/**
 * Where a replica keeps its Merkle-CRDT state. Synchronous on purpose: one merge runs as one
 * transaction, so a crash never leaves half a delta applied (and SQLite's API is synchronous).
 * Blocks themselves are not kept here: the replica gets and puts them through its BlockAccess.
 */
export interface ValueRecord {
  value: Uint8Array
  priority: number
}

/** An element of a key that has not been tombstoned: the block that added it and what it added. */
export interface LiveElement {
  /** "/" + base32 of the adding block's multihash. */
  id: string
  /** That block's delta priority. */
  priority: number
  /** The greatest value that block gave the key. */
  value: Uint8Array
}

export interface HeadRecord {
  /** Binary CID (CIDv1 dag-pb). */
  cid: Uint8Array
  height: number
}

export interface CrdtStore {
  /** The current value of a key, if it is in the set. */
  getValue(key: string): ValueRecord | undefined
  putValue(key: string, value: Uint8Array, priority: number): void
  deleteValue(key: string): void
  /** Records that block `id` added `key` (keeps the greater value if recorded twice). */
  putElement(key: string, id: string, priority: number, value: Uint8Array): void
  /** Tombstones (key, id), whether or not that element has arrived yet. */
  putTombstone(key: string, id: string): void
  isTombstoned(key: string, id: string): boolean
  /** The elements of `key` that are not tombstoned, in id order. */
  liveElements(key: string): LiveElement[]

  listHeads(): HeadRecord[]
  putHead(cid: Uint8Array, height: number): void
  deleteHead(cid: Uint8Array): void

  /** Blocks are marked by multihash, as Go keys them. */
  isProcessed(multihash: Uint8Array): boolean
  markProcessed(multihash: Uint8Array): void

  isDirty(): boolean
  setDirty(dirty: boolean): void

  /** Up to `limit` keys with values, in key order, strictly after `after` when given. */
  valuesPage(after: string | undefined, limit: number): Array<[string, Uint8Array]>
  /** Number of keys with a value. */
  size(): number

  /** Every (key, block) record, for inspection: priority 0 = only its tombstone has arrived. */
  elementRecords(): Iterable<{ key: string, id: string, priority: number, tombstoned: boolean }>
  /** The multihashes of all processed blocks, for inspection. */
  processedBlocks(): Iterable<Uint8Array>

  /** Runs `fn` atomically (all its writes or none); inside begin()/commit() it nests. */
  transaction<T>(fn: () => T): T
  /**
   * Optional group commit: begin() opens an outer transaction that commit() ends, so that many
   * small merges share one commit (a commit costs far more than a merge). Stores without it
   * commit every transaction() on its own.
   */
  begin?(): void
  commit?(): void
  /** Deletes everything (Go's `state cleanup`). */
  clear(): void
  close(): void
}
