import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'
import { packageTestConfig } from './vitest.shared.ts'
import SummaryReporter from './scripts/summary-reporter.ts'

// Files run two at a time (the suite is CPU-bound on a 2-core machine: two workers end it about a
// quarter sooner than one, with every heavy file overlapping lighter ones). The fault campaign
// runs alone, after the others: its verdicts wait for elections and catch-up within fixed
// deadlines, which a second busy file would stretch.
const alone = ['test/chaos.spec.ts']
const service = resolve(import.meta.dirname, 'apps/service')

export default defineConfig({
  test: {
    maxWorkers: Math.min(2, availableParallelism()),
    projects: [
      'packages/*',
      'apps/ctl',
      packageTestConfig(service, { name: '@cluster/service', exclude: alone }),
      packageTestConfig(service, { name: '@cluster/service (alone)', include: alone, maxWorkers: 1 })
    ],
    reporters: ['default', new SummaryReporter()]
  }
})
