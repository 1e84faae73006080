/**
 * The `pin_tracker.stateless` section (config.md §5.7). Field names match
 * @cluster/pintracker's StatelessConfig (which adds its own `maxRetries`).
 */
import { HOUR, formatDuration } from '@cluster/api'
import type { Duration, JsonObject } from '@cluster/api'
import type { SectionCodec } from '../section.ts'
import { nonZero, strictDuration } from '../values.ts'

export interface StatelessSection {
  /** Capacity of each operation queue. */
  maxPinQueueSize: number
  /** Parallel pin workers (unpins use one). */
  concurrentPins: number
  /** Pins younger than this go to the priority queue. */
  priorityPinMaxAge: Duration
  /** Pins retried more often than this leave the priority queue. */
  priorityPinMaxRetries: number
}

export const DEFAULT_MAX_PIN_QUEUE_SIZE = 1_000_000

export const statelessCodec: SectionCodec<StatelessSection> = {
  key: 'stateless',
  envPrefix: 'CLUSTER_STATELESS',
  known: ['max_pin_queue_size', 'concurrent_pins', 'priority_pin_max_age', 'priority_pin_max_retries'],
  envFields: [
    { name: 'MAXPINQUEUESIZE', path: 'max_pin_queue_size', kind: 'int' },
    { name: 'CONCURRENTPINS', path: 'concurrent_pins', kind: 'int' },
    { name: 'PRIORITYPINMAXAGE', path: 'priority_pin_max_age', kind: 'string' },
    { name: 'PRIORITYPINMAXRETRIES', path: 'priority_pin_max_retries', kind: 'int' }
  ],
  defaults: () => ({
    maxPinQueueSize: DEFAULT_MAX_PIN_QUEUE_SIZE,
    concurrentPins: 10,
    priorityPinMaxAge: 24n * HOUR,
    priorityPinMaxRetries: 5
  }),
  apply: (base, r) => ({
    maxPinQueueSize: nonZero(r.int('max_pin_queue_size'), base.maxPinQueueSize),
    concurrentPins: nonZero(r.int('concurrent_pins'), base.concurrentPins),
    priorityPinMaxAge: strictDuration(r, 'priority_pin_max_age', base.priorityPinMaxAge),
    priorityPinMaxRetries: nonZero(r.int('priority_pin_max_retries'), base.priorityPinMaxRetries)
  }),
  validate: (c) => {
    if (c.maxPinQueueSize <= 0) return 'statelesstracker.max_pin_queue_size too low'
    if (c.concurrentPins <= 0) return 'statelesstracker.concurrent_pins is too low'
    if (c.priorityPinMaxAge <= 0n) return 'statelesstracker.priority_pin_max_age is too low'
    if (c.priorityPinMaxRetries <= 0) return 'statelesstracker.priority_pin_max_retries is too low'
    return undefined
  },
  toJson: (c): JsonObject => {
    const out: JsonObject = {}
    if (c.maxPinQueueSize !== DEFAULT_MAX_PIN_QUEUE_SIZE) out.max_pin_queue_size = c.maxPinQueueSize
    out.concurrent_pins = c.concurrentPins
    out.priority_pin_max_age = formatDuration(c.priorityPinMaxAge)
    out.priority_pin_max_retries = c.priorityPinMaxRetries
    return out
  }
}
