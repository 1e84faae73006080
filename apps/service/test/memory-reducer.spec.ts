// The memory reducer in a child process: after a burst of garbage, a quiet process gives its pages
// back (RSS falls back near where it started); a saturated one is left alone.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const REDUCER = join(import.meta.dirname, '..', 'src', 'cli', 'memory-reducer.ts')

const program = (busy: boolean): string => `
import { startMemoryReducer } from ${JSON.stringify(REDUCER)}
const reduced = []
const stop = startMemoryReducer({ checkMs: 300, firstCheckMs: 300, onReduced: (before, after) => { reduced.push([before >> 20, after >> 20]) } })
const start = process.memoryUsage.rss() >> 20
let keep = []
for (let r = 0; r < 4; r++) {
  const junk = []
  for (let i = 0; i < 150000; i++) junk.push({ a: 'x'.repeat(40) + i, b: [i, i + 1] })
  for (let i = 0; i < 30; i++) junk.push('y'.repeat(2_000_000 + i))
  keep.push(junk.slice(0, 50))
}
const peak = process.memoryUsage.rss() >> 20
const until = Date.now() + 3000
if (${busy}) { while (Date.now() < until) { for (let i = 0; i < 1e5; i++) keep.length; await new Promise(r => setImmediate(r)) } }
else await new Promise(r => setTimeout(r, 3000))
stop()
console.log(JSON.stringify({ start, peak, end: process.memoryUsage.rss() >> 20, reduced, kept: keep.length }))
`

async function measure (busy: boolean): Promise<{ start: number, peak: number, end: number, reduced: number[][] }> {
  const { stdout } = await run(process.execPath, ['--max-semi-space-size=16', '--input-type=module', '-e', program(busy)], { timeout: 60_000 })
  return JSON.parse(stdout.trim().split('\n').pop() as string)
}

describe('memory reducer', () => {
  it('gives the pages of a finished burst back once the process is quiet', async () => {
    const m = await measure(false)
    expect(m.peak - m.start).toBeGreaterThan(100)
    expect(m.reduced.length).toBeGreaterThan(0)
    // Back within 64 MiB of the start (it was 100+ MiB above).
    expect(m.end - m.start).toBeLessThan(64)
  }, 60_000)

  it('shrinks a young generation grown by a burst, though RSS stayed near its start', async () => {
    // A start's burst: many short-lived objects grow the young generation to its cap while the
    // RSS rule (made unreachable here) sees nothing worth a collection.
    const program = `
import v8 from 'node:v8'
import { startMemoryReducer } from ${JSON.stringify(REDUCER)}
const young = () => v8.getHeapSpaceStatistics().find(s => s.space_name === 'new_space').space_size >> 20
let keep = []
for (let i = 0; i < 2e6; i++) { keep.push({ a: i, b: 'x' + i }); if (keep.length > 50000) keep = [] }
const grown = young()
const reduced = []
const stop = startMemoryReducer({ checkMs: 300, firstCheckMs: 300, slackBytes: 2 ** 40, onReduced: () => { reduced.push(young()) } })
await new Promise(r => setTimeout(r, 1500))
stop()
console.log(JSON.stringify({ grown, reduced, kept: keep.length }))
`
    const { stdout } = await run(process.execPath, ['--max-semi-space-size=16', '--input-type=module', '-e', program], { timeout: 60_000 })
    const m = JSON.parse(stdout.trim().split('\n').pop() as string) as { grown: number, reduced: number[] }
    expect(m.grown).toBeGreaterThanOrEqual(16)
    // One collection (the next may come only after two intervals), and the young generation shrank.
    expect(m.reduced.length).toBe(1)
    expect(m.reduced[0]).toBeLessThanOrEqual(4)
  }, 60_000)

  it('leaves a saturated process alone', async () => {
    const m = await measure(true)
    expect(m.peak - m.start).toBeGreaterThan(100)
    expect(m.reduced).toEqual([])
  }, 60_000)
})
