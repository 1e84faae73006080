export { allocate, validateAllocateBy, type AllocateRequest } from './allocate.ts'
export { balancedOrder, balancedAllocate } from './balanced.ts'
export type { AllocatorMetric, MetricsByName } from './metric.ts'
export { BadReplicationFactorError, NotEnoughPeersError, InvalidAllocatorConfigError } from './errors.ts'
