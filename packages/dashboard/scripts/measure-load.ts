// Measures how long the dashboard takes to show on loopback with a big pinset: a 3-peer local
// cluster (real daemons and Kubos) gets N pins (default 100,000, in batches of 10,000), waits
// for the pin queues to drain, then headless Chromium opens the pins view and the peers view
// in fresh contexts (cold cache) and the time until the first page of pins / the peer rows are
// rendered is printed (median and max of 5). A script, not a test: numbers depend on the machine.
//   node --conditions=source packages/dashboard/scripts/measure-load.ts [pins]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CID } from '@cluster/api'
import { LocalCluster } from '../../../apps/service/dev/local-cluster.ts'
import { ensureBuilt, launch } from '../test/browser.ts'

const PINS = Number(process.argv[2] ?? 100_000)
const BATCH = 10_000
const RUNS = 5

function identityCid (text: string): string {
  const bytes = new TextEncoder().encode(text)
  return CID.decode(Uint8Array.from([0x01, 0x55, 0x00, bytes.length, ...bytes])).toString()
}

ensureBuilt()
const base = mkdtempSync(join(tmpdir(), 'dashboard-load-'))
const cluster = new LocalCluster({ base, peers: 3, configure: (c) => { c.api.restapi.dashboard = true } })
try {
  await cluster.start()
  const url = cluster.peers[0]!.restUrl
  for (let at = 0; at < PINS; at += BATCH) {
    const items = Array.from({ length: Math.min(BATCH, PINS - at) }, (_, k) => {
      const name = `load-${String(at + k).padStart(7, '0')}`
      return { cid: identityCid(name), name, 'replication-min': 1, 'replication-max': 1 }
    })
    const res = await fetch(`${url}/pins`, { method: 'POST', body: JSON.stringify(items), signal: AbortSignal.timeout(300_000) })
    if (res.status !== 200 || (await res.text()).includes('"error"')) throw new Error(`seeding failed at ${at}: ${res.status}`)
    console.log(`seeded ${at + items.length} pins`)
  }
  // Measure a settled cluster, not one still pinning what was just added (bounded: 15 min).
  const deadline = Date.now() + 15 * 60_000
  for (;;) {
    const queues = await (await fetch(`${url}/monitor/metrics/pinqueue`)).json() as Array<{ value: string }>
    const queued = queues.reduce((n, m) => n + Number(m.value), 0)
    if (queued === 0 || Date.now() > deadline) { console.log(`pin queues: ${queued} left`); break }
    await new Promise(resolve => setTimeout(resolve, 5_000))
  }

  const browser = await launch()
  const measure = async (hash: string, ready: string, count: number): Promise<number[]> => {
    const times: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext()
      const page = await context.newPage()
      const started = performance.now()
      await page.goto(`${url}/ui${hash}`)
      await page.locator(ready).nth(count - 1).waitFor({ timeout: 30_000 })
      times.push(performance.now() - started)
      await context.close()
    }
    return times.sort((a, b) => a - b)
  }
  const report = (what: string, t: number[]): void => {
    console.log(`${what}: median ${Math.round(t[Math.floor(t.length / 2)]!)} ms, max ${Math.round(t.at(-1)!)} ms (${RUNS} cold loads)`)
  }
  report(`pins view, first page of 50 (${PINS} pins)`, await measure('#/pins', 'table.pins tbody tr', 50))
  report('peers view, 3 peers with metrics', await measure('#/peers', 'table.peers tbody tr', 3))
  await browser.close()
} finally {
  await cluster.stop()
  rmSync(base, { recursive: true, force: true })
}
