/** rf_min + rf_max == 0: the cluster defaults were not applied, or the user asked for nothing. */
export class BadReplicationFactorError extends Error {
  override readonly name = 'BadReplicationFactorError'
  readonly code = 'ERR_BAD_REPLICATION_FACTOR'

  constructor (min: number, max: number) {
    super(`bad replication factors: ${min}/${max}`)
  }
}

/** Fewer usable peers than rf_min. The message is Go's, word for word (clients match its prefix). */
export class NotEnoughPeersError extends Error {
  override readonly name = 'NotEnoughPeersError'
  readonly code = 'ERR_NOT_ENOUGH_PEERS'
  readonly needed: number
  readonly wanted: number
  readonly available: number

  constructor (needed: number, wanted: number, available: number) {
    super(`not enough peers to allocate CID. Needed at least: ${needed}. Wanted at most: ${wanted}. Available candidates: ${available}. See logs for more info.`)
    this.needed = needed
    this.wanted = wanted
    this.available = available
  }
}

/** `allocate_by` must name at least one metric. */
export class InvalidAllocatorConfigError extends Error {
  override readonly name = 'InvalidAllocatorConfigError'
  readonly code = 'ERR_INVALID_ALLOCATOR_CONFIG'
}
