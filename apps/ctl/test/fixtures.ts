/** Shared test data: the fake cluster's IDs and the example pin of rest-api.md §2.4. */
import { parseCid, Timestamp } from '@cluster/api'
import type { Pin } from '@cluster/api'
import { C1, T0 } from '@cluster/test-utils'

export * from '@cluster/test-utils'

export function examplePin (): Pin {
  return {
    replicationFactorMin: -1,
    replicationFactorMax: -1,
    name: 'dataset-2025',
    mode: 'recursive',
    shardSize: 0,
    userAllocations: null,
    expireAt: Timestamp.ZERO,
    metadata: { kind: 'text' },
    pinUpdate: undefined,
    origins: [],
    cid: parseCid(C1),
    type: 'pin',
    allocations: [],
    maxDepth: -1,
    reference: undefined,
    timestamp: T0
  }
}
