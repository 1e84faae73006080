/**
 * The `pin_tracker.stateless` section (config.md §5.7). Its model — type, defaults, Go's overlay
 * rules, validation texts, JSON form and `CLUSTER_STATELESS_*` variables — is
 * @cluster/pintracker's `StatelessConfig` (with its own `max_retries`, not in Go); this file reads
 * the JSON types with the loader's messages and adapts the package's errors.
 */
import {
  STATELESS_ENV_FIELDS, defaultStatelessConfig, overlayStatelessJson, statelessConfigToJson, validateStatelessConfig,
  type StatelessConfig
} from '@cluster/pintracker/config'
import type { JsonObject } from '@cluster/api'
import { envFieldsOf } from '../env.ts'
import { adaptPackageError, reasonOf } from '../errors.ts'
import type { SectionCodec } from '../section.ts'

export type StatelessSection = StatelessConfig

export const statelessCodec: SectionCodec<StatelessSection> = {
  key: 'stateless',
  envPrefix: 'CLUSTER_STATELESS',
  known: ['max_pin_queue_size', 'concurrent_pins', 'priority_pin_max_age', 'priority_pin_max_retries', 'max_retries'],
  envFields: envFieldsOf(STATELESS_ENV_FIELDS),
  defaults: defaultStatelessConfig,
  apply: (base, r) => {
    const json = r.typed({ int: ['max_pin_queue_size', 'concurrent_pins', 'priority_pin_max_retries', 'max_retries'], string: ['priority_pin_max_age'] })
    return adaptPackageError('stateless', r.path, () => overlayStatelessJson(json, base))
  },
  validate: (c) => reasonOf(() => { validateStatelessConfig(c) }),
  toJson: (c): JsonObject => ({ ...statelessConfigToJson(c) })
}
