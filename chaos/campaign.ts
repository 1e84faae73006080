// The fault campaign: every scenario, one after the other. A cluster that a scenario leaves
// healthy (it passed: every peer up and holding the same pinset) is handed to the next scenario
// when that one needs the same kind of cluster with default settings; otherwise a new one starts.
import { crdtScenarios } from './scenarios/crdt.ts'
import { dataScenarios } from './scenarios/data.ts'
import { kuboScenarios } from './scenarios/kubo.ts'
import { malformedScenarios } from './scenarios/malformed.ts'
import { networkScenarios } from './scenarios/network.ts'
import { peerScenarios } from './scenarios/peers.ts'
import type { Env } from './lib/environments.ts'
import type { Mode } from './lib/mode.ts'
import { runScenario, type Scenario, type ScenarioResult } from './lib/scenario.ts'

// Ordered so that scenarios on the default cluster come first and can share it.
export const scenarios: Scenario[] = [...peerScenarios, ...dataScenarios.filter(s => s.configure === undefined), ...dataScenarios.filter(s => s.configure !== undefined),
  ...networkScenarios, ...kuboScenarios, ...malformedScenarios, ...crdtScenarios]

export class Campaign {
  private readonly mode: Mode
  private readonly log: (text: string) => void
  private kept: { env: Env, scenario: Scenario } | undefined

  constructor (mode: Mode, log: (text: string) => void = () => {}) {
    this.mode = mode
    this.log = log
  }

  async run (s: Scenario): Promise<ScenarioResult> {
    const k = this.kept
    const reusable = k !== undefined && k.scenario.env === s.env && k.scenario.configure === undefined && s.configure === undefined
    if (!reusable) await this.close()
    this.kept = undefined
    const { result, env } = await runScenario(s, this.mode, this.log, reusable ? k?.env : undefined)
    if (env !== undefined) {
      if (result.ok) this.kept = { env, scenario: s }
      else await env.close().catch((err: Error) => { this.log(`cleanup: ${err.message}`) })
    }
    return result
  }

  async close (): Promise<void> {
    const env = this.kept?.env
    this.kept = undefined
    await env?.close().catch((err: Error) => { this.log(`cleanup: ${err.message}`) })
  }
}

/** Runs the scenarios whose name contains one of `only` (all when empty). */
export async function runCampaign (mode: Mode, only: string[] = [], log: (text: string) => void = () => {}): Promise<ScenarioResult[]> {
  const campaign = new Campaign(mode, log)
  const results: ScenarioResult[] = []
  try {
    for (const s of scenarios.filter(s => only.length === 0 || only.some(o => s.name.includes(o)))) results.push(await campaign.run(s))
  } finally {
    await campaign.close()
  }
  return results
}
