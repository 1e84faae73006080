// Shared by the consensus tests: temporary folders and consensus instances cleaned up after
// each test, and a bounded wait.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import type { RaftConsensus } from '@cluster/consensus'

const open: RaftConsensus[] = []
const dirs: string[] = []

afterEach(async () => {
  await Promise.all(open.splice(0).map(async c => await c.shutdown()))
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** Shuts `c` down after the test. */
export function track<T extends RaftConsensus> (c: T): T {
  open.push(c)
  return c
}

export function tempDir (): string {
  const d = mkdtempSync(join(tmpdir(), 'consensus-'))
  dirs.push(d)
  return d
}

export async function until (cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}
