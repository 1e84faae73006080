/**
 * Named errors of @cluster/pintracker. Each has a stable `name` and `code`; messages are Go IPFS
 * Cluster's where users see them (REST API error bodies, ctl output).
 */
import type { PinInfo } from '@cluster/api'

/** Base class of every error thrown by this package. */
export class PinTrackerError extends Error {
  override readonly name: string = 'PinTrackerError'
  readonly code: string = 'ERR_PINTRACKER'
}

/** Go's ErrFullQueue text, word for word. */
export const QUEUE_FULL_MESSAGE = 'pin/unpin operation queue is full. Try increasing max_pin_queue_size'

/**
 * A pin or unpin queue already holds `max_pin_queue_size` operations. The operation stays in
 * the tracker in phase `error` with this text (status `pin_error`/`unpin_error`).
 */
export class QueueFullError extends PinTrackerError {
  override readonly name = 'QueueFullError'
  override readonly code = 'ERR_QUEUE_FULL'
  /** Set by recover(): the status of the CID after the failed enqueue. */
  info: PinInfo | undefined

  constructor () {
    super(QUEUE_FULL_MESSAGE)
  }
}

/** StatusAll could not list the pins of the IPFS daemon: `could not get pinset from IPFS: <err>`. */
export class IpfsPinsetError extends PinTrackerError {
  override readonly name = 'IpfsPinsetError'
  override readonly code = 'ERR_IPFS_PINSET'

  constructor (cause: unknown) {
    super(`could not get pinset from IPFS: ${errorText(cause)}`, { cause })
  }
}

/** The `pin_tracker.stateless` configuration is invalid (message as Go's). */
export class InvalidTrackerConfigError extends PinTrackerError {
  override readonly name = 'InvalidTrackerConfigError'
  override readonly code = 'ERR_INVALID_PINTRACKER_CONFIG'
}

/** The tracker was closed: no new operations are accepted. */
export class TrackerClosedError extends PinTrackerError {
  override readonly name = 'TrackerClosedError'
  override readonly code = 'ERR_TRACKER_CLOSED'

  constructor () {
    super('the pin tracker is shut down')
  }
}

/** The text of anything thrown (Go's `err.Error()`). */
export function errorText (err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}
