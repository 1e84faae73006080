import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultPinOptions, Timestamp } from '@cluster/api'
import { RaftConsensus } from '@cluster/consensus'
import { MemoryNetwork } from '@cluster/raft/node'
import { syntheticCid } from '@cluster/test-utils'
import { main } from '../src/cli/main.ts'
import { capture } from './helpers/capture.ts'

const PINS = 120

/** A config folder whose Raft data folder holds PINS committed pins, snapshots and a compacted log. */
async function folderWithPins (root: string, name: string): Promise<string> {
  const folder = join(root, name)
  expect(await main(['-c', folder, 'init', '--consensus', 'raft', '--randomports'], capture())).toBe(0)
  const consensus = new RaftConsensus({
    id: 'solo', dataDir: join(folder, 'raft'), transport: new MemoryNetwork().transport('solo'),
    config: { initPeerset: ['solo'], heartbeatTimeoutMs: 100, snapshotThreshold: 50, trailingLogs: 5 }
  })
  await consensus.waitForLeader()
  for (let i = 0; i < PINS; i++) {
    await consensus.logPin({
      ...defaultPinOptions(), name: `p${i}`, cid: syntheticCid(i), type: 'pin', allocations: [], maxDepth: -1,
      reference: undefined, timestamp: Timestamp.fromDate(new Date()), replicationFactorMin: -1, replicationFactorMax: -1
    })
  }
  // Let the last snapshot file be written before stopping.
  await new Promise(resolve => setTimeout(resolve, 300))
  await consensus.shutdown()
  return folder
}

describe('state export from a damaged data folder', () => {
  let root: string
  beforeAll(() => { root = mkdtempSync(join(tmpdir(), 'state-export-')) })
  afterAll(() => { rmSync(root, { recursive: true, force: true }) })

  it('rebuilds the pinset from the Raft snapshot and log when the pinset file is missing or emptied', async () => {
    const folder = await folderWithPins(root, 'missing')
    const intact = capture()
    expect(await main(['-c', folder, 'state', 'export'], intact)).toBe(0)
    expect(intact.stdout.trim().split('\n')).toHaveLength(PINS)

    rmSync(join(folder, 'raft', 'pinset.sqlite'))
    const missing = capture()
    expect(await main(['-c', folder, 'state', 'export'], missing)).toBe(0)
    expect(missing.stdout).toBe(intact.stdout)
    expect(missing.stderr).toMatch(/pinset .* cannot be used .*rebuilt from the Raft snapshot and log/)

    const emptied = await folderWithPins(root, 'emptied')
    truncateSync(join(emptied, 'raft', 'pinset.sqlite'), 0)
    const io = capture()
    expect(await main(['-c', emptied, 'state', 'export'], io)).toBe(0)
    expect(io.stdout.trim().split('\n').map(l => (JSON.parse(l) as { name: string }).name).sort()).toEqual(Array.from({ length: PINS }, (_, i) => `p${i}`).sort())
  }, 60_000)

  it('writes to the file given with -f as Go\'s `state export -f <file>` does; a global -f before the command is still --force', async () => {
    const folder = await folderWithPins(root, 'to-file')
    const out = capture()
    expect(await main(['-c', folder, 'state', 'export'], out)).toBe(0)
    for (const args of [['state', 'export', '-f', join(root, 'a.json')], ['state', 'export', `-f=${join(root, 'b.json')}`], ['-f', 'state', 'export', '--file', join(root, 'c.json')]]) {
      const io = capture()
      expect(await main(['-c', folder, ...args], io), args.join(' ')).toBe(0)
      expect(io.stdout).toBe('')
    }
    for (const name of ['a.json', 'b.json', 'c.json']) expect(readFileSync(join(root, name), 'utf8')).toBe(out.stdout)
  }, 60_000)

  it('fails, writing nothing, when neither the pinset nor the log can give the pins', async () => {
    const folder = await folderWithPins(root, 'hopeless')
    rmSync(join(folder, 'raft', 'pinset.sqlite'))
    for (const f of readdirSync(join(folder, 'raft', 'snapshots'))) rmSync(join(folder, 'raft', 'snapshots', f))
    const io = capture()
    expect(await main(['-c', folder, 'state', 'export'], io)).toBe(1)
    expect(io.stdout).toBe('')
    expect(io.stderr).toMatch(/error exporting state: cannot export: the pinset cannot be rebuilt/)
  }, 60_000)
})
