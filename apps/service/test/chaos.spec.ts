// The fault campaign in its small mode (chaos/, `pnpm chaos --small`): a 3-peer cluster of the
// built daemons (dist/, as `npm test` builds them) under 16 pinning clients, one fault per test.
// Each must end with no acknowledged pin lost, no daemon crash and every peer caught up.
import { afterAll, describe, expect, it } from 'vitest'
import { installCleanupHandlers } from '../../../bench/lib/processes.ts'
import { Campaign, scenarios } from '../../../chaos/campaign.ts'
import { SMALL } from '../../../chaos/lib/mode.ts'

installCleanupHandlers()

describe('fault campaign (small)', () => {
  const campaign = new Campaign(SMALL, text => { console.log(text) })
  afterAll(async () => { await campaign.close() }, 60_000)

  for (const s of scenarios) {
    it(s.name, async () => {
      const r = await campaign.run(s)
      // One comparison, so that a failure shows everything that went wrong at once.
      expect({
        error: r.error,
        lost: r.verdict?.missing.flatMap((n, i) => n > 0 ? [`${n} acknowledged pins missing on peer${i}`] : []) ?? [],
        crashes: r.crashes.map(c => `peer${c.peer} exited (${String(c.code ?? c.signal)}):\n${c.logTail}`),
        notCaughtUp: r.notCaughtUp.map(i => `peer${i}: ${r.pinCounts[i] ?? -1} pins (every peer: ${r.pinCounts.join('/')}) ${r.verdict?.errors[i] ?? ''}\n` +
          (r.behindLogTails[i] ?? '').split('\n').slice(-4).join('\n'))
      }).toEqual({ error: undefined, lost: [], crashes: [], notCaughtUp: [] })
      expect(r.lost).toBe(0)
      expect(r.acked).toBeGreaterThan(0)
    }, 150_000)
  }
})
