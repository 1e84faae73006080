// `pnpm chaos [--small] [--only <name fragment>,…]`: runs the fault campaign against the built
// packages and writes bench/results/chaos-<date>[-small].{md,json}. Exits with 1 when a scenario
// lost an acknowledged pin, saw a daemon crash or left a peer behind.
import { cleanupAll, installCleanupHandlers } from '../bench/lib/processes.ts'
import { runCampaign } from './campaign.ts'
import { FULL, SMALL } from './lib/mode.ts'
import { writeReport } from './lib/report.ts'

const argv = process.argv.slice(2)
const mode = argv.includes('--small') ? SMALL : FULL
const onlyArg = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined
const only = onlyArg === undefined ? [] : onlyArg.split(',')

installCleanupHandlers()
const log = (text: string): void => { console.log(`[${new Date().toISOString().slice(11, 19)}] ${text}`) }
const t0 = Date.now()
try {
  const results = await runCampaign(mode, only, log)
  const path = writeReport(results, mode, (Date.now() - t0) / 1000)
  log(`results: ${path}`)
  const failed = results.filter(r => !r.ok)
  log(`${results.length - failed.length} of ${results.length} scenarios passed${failed.length > 0 ? `; failed: ${failed.map(r => r.name).join(', ')}` : ''}`)
  process.exitCode = failed.length > 0 ? 1 : 0
} finally {
  cleanupAll()
}
