/**
 * @cluster/pintracker — the stateless pin tracker of IPFS Cluster (Go v1.1.6 behaviour): turns
 * the shared pinset into IPFS pin/unpin operations, reports per-peer pin statuses and recovers
 * failed items.
 */
export { StatelessTracker } from './tracker.ts'
export type { StatelessTrackerOptions } from './tracker.ts'
export { OperationTracker } from './operation-tracker.ts'
export type { OperationFilter } from './operation-tracker.ts'
export { Operation, OPERATION_TYPES, PHASES, operationStatus } from './operation.ts'
export type { OperationType, Phase } from './operation.ts'
export { OperationScheduler } from './scheduler.ts'
export type { Lane, SchedulerOptions } from './scheduler.ts'
export { statusOf, statusAllOf, statusWithinOf, UNEXPECTEDLY_UNPINNED_MESSAGE } from './status.ts'
export type { StatusSources } from './status.ts'
export { MaintenanceLoop } from './maintenance-loop.ts'
export type { MaintenanceLoopOptions, MaintenanceTask, TimerApi } from './maintenance-loop.ts'
export { expiredPinsToUnpin, sweepExpiredPins } from './expiry.ts'
export type { ExpiredPinsOptions, ExpirySweepOptions, ExpirySweepResult } from './expiry.ts'
export { isPinEverywhere, isRemotePin, hasExpiry, isExpiredAt, barePin } from './pin-predicates.ts'
export {
  defaultStatelessConfig, validateStatelessConfig, overlayStatelessJson, applyStatelessEnv,
  loadStatelessConfig, statelessConfigToJson, STATELESS_CONFIG_KEY, STATELESS_ENV_PREFIX,
  DEFAULT_MAX_PIN_QUEUE_SIZE, DEFAULT_CONCURRENT_PINS, DEFAULT_PRIORITY_PIN_MAX_AGE,
  DEFAULT_PRIORITY_PIN_MAX_RETRIES, DEFAULT_MAX_RETRIES
} from './config.ts'
export type { StatelessConfig } from './config.ts'
export {
  PinTrackerError, QueueFullError, IpfsPinsetError, InvalidTrackerConfigError, TrackerClosedError,
  QUEUE_FULL_MESSAGE
} from './errors.ts'
export type {
  TrackerIpfs, IpfsPinType, IpfsPinOptions, IpfsPinEntry, PinsetReader, IpfsIdentity, TrackerPeer
} from './types.ts'
