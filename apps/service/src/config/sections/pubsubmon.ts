/**
 * The `monitor.pubsubmon` section (config.md §5.8). Go reads a missing `check_interval` as 0 and
 * fails; here a missing key keeps the default (an unparsable one still reads as 0 and fails).
 */
import { SECOND, formatDuration } from '@cluster/api'
import type { Duration } from '@cluster/api'
import type { SectionCodec } from '../section.ts'
import { lenientDuration } from '../values.ts'

export interface PubsubmonSection {
  /** How often metrics are checked for expiry. */
  checkInterval: Duration
}

export const pubsubmonCodec: SectionCodec<PubsubmonSection> = {
  key: 'pubsubmon',
  envPrefix: 'CLUSTER_PUBSUBMON',
  known: ['check_interval'],
  envFields: [{ name: 'CHECKINTERVAL', path: 'check_interval', kind: 'string' }],
  defaults: () => ({ checkInterval: 15n * SECOND }),
  apply: (base, r) => {
    const text = r.string('check_interval')
    return { checkInterval: text === undefined || text === '' ? base.checkInterval : lenientDuration(text) }
  },
  validate: (c) => (c.checkInterval <= 0n ? 'pubsubmon.check_interval too low' : undefined),
  toJson: (c) => ({ check_interval: formatDuration(c.checkInterval) })
}
