/**
 * `state export` to stdout: written in chunks that wait for the reader (a 1M-pin export held
 * whole in stdout's buffer grew to ~0.5 GB and then failed with EINVAL), and a reader that goes
 * away (`state export | head`) ends the command quietly with status 0, not an unhandled EPIPE.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { castCid, cidToString } from '@cluster/api'
import { runUntilReaderStops } from '@cluster/test-utils'
import { main } from '../src/cli/main.ts'
import { capture } from './helpers/capture.ts'

const RUN = join(import.meta.dirname, '..', 'src', 'cli', 'run.ts')
const PINS = 3000
const dir = mkdtempSync(join(tmpdir(), 'state-export-stream-'))
const folder = join(dir, 'peer')

/** A CIDv1 (raw, sha2-256) of `i`'s digest. */
function cidOf (i: number): string {
  const digest = createHash('sha256').update(String(i)).digest()
  return cidToString(castCid(Uint8Array.of(0x01, 0x55, 0x12, 0x20, ...digest)))
}

beforeAll(async () => {
  expect(await main(['-c', folder, 'init', '--consensus', 'raft', '--randomports'], capture())).toBe(0)
  const lines = Array.from({ length: PINS }, (_, i) => JSON.stringify({
    replication_factor_min: -1, replication_factor_max: -1, name: `pin ${i}`, mode: 'recursive', shard_size: 0, user_allocations: null,
    expire_at: '0001-01-01T00:00:00Z', metadata: null, pin_update: null, origins: [], cid: cidOf(i), type: 'pin', allocations: [],
    max_depth: -1, reference: null, timestamp: '2026-01-01T00:00:00Z'
  }))
  const file = join(dir, 'state.json')
  writeFileSync(file, lines.join('\n') + '\n')
  expect(await main(['-c', folder, 'state', 'import', '-f', file], capture())).toBe(0)
}, 60_000)

afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

describe('state export to stdout', () => {
  it('hands stdout chunks of at most ~64 KiB and waits for it to drain after each', async () => {
    const sizes: number[] = []
    let text = ''
    let waits = 0
    const io = {
      out: (t: string) => { sizes.push(t.length); text += t },
      err: () => {},
      drained: async () => { waits++ }
    }
    expect(await main(['-c', folder, 'state', 'export'], io)).toBe(0)
    const lines = text.trim().split('\n')
    expect(lines).toHaveLength(PINS)
    expect(new Set(lines.map(l => (JSON.parse(l) as { cid: string }).cid)).size).toBe(PINS)
    expect(sizes.length).toBeGreaterThan(5)
    expect(Math.max(...sizes)).toBeLessThan(64 * 1024 + 1024)
    // Every chunk but the last is followed by a wait.
    expect(waits).toBe(sizes.length - 1)
  })

  it('ends with status 0 and nothing on stderr when the reader stops reading (`| head -1`)', async () => {
    const { code, stderr } = await runUntilReaderStops(process.execPath, ['--conditions=source', RUN, '-c', folder, 'state', 'export'])
    expect(stderr).toBe('')
    expect(code).toBe(0)
  }, 30_000)
})
