/** rf_min + rf_max == 0: the cluster defaults were not applied, or the user asked for nothing. */
export class BadReplicationFactorError extends Error {
  override readonly name = 'BadReplicationFactorError'
  readonly code = 'ERR_BAD_REPLICATION_FACTOR'

  constructor (min: number, max: number) {
    super(`bad replication factors: ${min}/${max}`)
  }
}

/**
 * Fewer usable peers than rf_min. The message is Go's, word for word (clients match its prefix);
 * the status is 503 with a Retry-After where Go answers 500: the cluster cannot serve the pin
 * now (peers down, or their metrics not heard yet), which is no fault of the request.
 */
export class NotEnoughPeersError extends Error {
  override readonly name = 'NotEnoughPeersError'
  readonly code = 'ERR_NOT_ENOUGH_PEERS'
  readonly httpStatus = 503
  readonly retryAfterSeconds = 5
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
