/**
 * `state import` is all or nothing: killed part-way (kill -9) it leaves the state it found, and
 * the next command says an import was interrupted; interrupted after the new state was written
 * whole, the next command (or daemon start) moves it into place.
 */
import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { syntheticCid, until } from '@cluster/test-utils'
import { main } from '../src/cli/main.ts'
import { startDaemon } from '../src/cli/daemon.ts'
import { replaceStateFolder } from '../src/cli/state-folder.ts'
import { capture } from './helpers/capture.ts'
import { kuboEnvFixture } from './helpers/kubo-env.ts'

const CLI = join(import.meta.dirname, '..', 'src', 'cli', 'run.ts')

/** An export file of `count` pins named `<prefix>-<i>`, CIDs from `first` on. */
function exportFile (path: string, prefix: string, first: number, count: number): string {
  const lines: string[] = []
  for (let i = first; i < first + count; i++) {
    lines.push(JSON.stringify({
      replication_factor_min: -1, replication_factor_max: -1, name: `${prefix}-${i}`, mode: 'recursive', shard_size: 0,
      user_allocations: null, expire_at: '0001-01-01T00:00:00Z', metadata: null, pin_update: null, origins: [],
      cid: syntheticCid(i).toString(), type: 'pin', allocations: [], max_depth: -1, reference: null, timestamp: '2026-01-01T00:00:00Z'
    }))
  }
  writeFileSync(path, lines.join('\n') + '\n')
  return path
}

async function exportedNames (folder: string): Promise<{ names: string[], stderr: string }> {
  const io = capture()
  expect(await main(['-c', folder, 'state', 'export'], io)).toBe(0)
  const names = io.stdout.trim() === '' ? [] : io.stdout.trim().split('\n').map(l => (JSON.parse(l) as { name: string }).name)
  return { names: names.sort(), stderr: io.stderr }
}

const prefixesOf = (names: string[]): string[] => [...new Set(names.map(n => n.split('-')[0] ?? ''))]

describe('state import interrupted', () => {
  const env = kuboEnvFixture('service-import-crash-')

  /**
   * A peer's folder at the moment between "new state whole" and "moved into place": 200 old
   * pins, and a complete staging folder of 300 new ones (another peer's imported folder, marked
   * complete) beside them.
   */
  async function interruptedAfterWrite (consensus: 'raft' | 'crdt'): Promise<string> {
    const folder = join(env.dir, `complete-${consensus}`)
    const donor = join(env.dir, `donor-${consensus}`)
    for (const f of [folder, donor]) expect(await main(['-c', f, 'init', '--consensus', consensus, '--randomports'], capture())).toBe(0)
    expect(await main(['-c', folder, 'state', 'import', '-f', exportFile(join(env.dir, `old-complete-${consensus}.json`), 'old', 0, 200)], capture())).toBe(0)
    expect(await main(['-c', donor, 'state', 'import', '-f', exportFile(join(env.dir, `new-complete-${consensus}.json`), 'new', 1000, 300)], capture())).toBe(0)
    cpSync(join(donor, consensus), join(folder, `${consensus}.importing`), { recursive: true })
    writeFileSync(join(folder, `${consensus}.importing`, 'import-complete'), '')
    return folder
  }

  for (const consensus of ['raft', 'crdt'] as const) {
    it(`${consensus}: an import killed with SIGKILL part-way leaves the earlier state, and the next command says so`, async () => {
      const folder = join(env.dir, `killed-${consensus}`)
      expect(await main(['-c', folder, 'init', '--consensus', consensus, '--randomports'], capture())).toBe(0)
      expect(await main(['-c', folder, 'state', 'import', '-f', exportFile(join(env.dir, `old-${consensus}.json`), 'old', 0, 500)], capture())).toBe(0)
      const big = exportFile(join(env.dir, `new-${consensus}.json`), 'new', 1000, 60_000)
      const data = consensus === 'raft' ? join(folder, 'raft') : join(folder, 'crdt')
      const staging = `${data}.importing`

      const child = spawn(process.execPath, ['--conditions=source', CLI, '-c', folder, 'state', 'import', '-f', big], { stdio: 'ignore' })
      const exited = new Promise<NodeJS.Signals | number | null>(resolve => { child.once('exit', (code, signal) => { resolve(signal ?? code) }) })
      // Killed once it writes the new state (its files appear in the staging folder).
      await until(() => existsSync(staging) && readdirSync(staging).length > 0 ? true : undefined, 'the import to write its new state', 60_000, 5)
      child.kill('SIGKILL')
      expect(await exited).toBe('SIGKILL')
      expect(existsSync(staging)).toBe(true)

      const after = await exportedNames(folder)
      expect(after.stderr).toContain('WARN a state import was interrupted before it finished')
      expect(after.names).toHaveLength(500)
      expect(prefixesOf(after.names)).toEqual(['old'])
      expect(existsSync(staging)).toBe(false)
      // Said once: the next command finds nothing to settle.
      expect((await exportedNames(folder)).stderr).not.toContain('interrupted')

      // And a new import goes through.
      expect(await main(['-c', folder, 'state', 'import', '-f', exportFile(join(env.dir, `again-${consensus}.json`), 'again', 5000, 300)], capture())).toBe(0)
      const again = await exportedNames(folder)
      expect(again.names).toHaveLength(300)
      expect(prefixesOf(again.names)).toEqual(['again'])
    }, 120_000)
  }

  it('raft: an import interrupted after its new state was written whole is moved into place by the next daemon start (the earlier state kept as a backup)', async () => {
    const folder = await interruptedAfterWrite('raft')

    const io = capture()
    const daemon = await startDaemon(folder, {}, io)
    try {
      expect(io.stderr).toContain('a state import was interrupted after its state was written: it was moved into place')
      const names: string[] = []
      for await (const pin of daemon.peer.allocations(30)) names.push(pin.name)
      expect(names).toHaveLength(300)
      expect(prefixesOf(names)).toEqual(['new'])
    } finally {
      await daemon.stop()
    }
    expect(existsSync(join(folder, 'raft.importing'))).toBe(false)
    expect(existsSync(join(folder, 'raft', 'import-complete'))).toBe(false)
    // Go's Clean kept the state it replaced.
    expect(existsSync(join(folder, 'raft.old.0', 'raft.sqlite'))).toBe(true)
  }, 120_000)

  it('an import that fails (not a crash) leaves the old folder as it was and nothing beside it', async () => {
    const dir = join(env.dir, 'failing', 'raft')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'old'), 'kept')
    let retired = false
    const target = { consensus: 'raft' as const, dir, retire: async () => { retired = true } }
    await expect(replaceStateFolder(target, async (staging) => {
      mkdirSync(staging)
      writeFileSync(join(staging, 'half'), 'written')
      throw new Error('a pin that does not encode')
    })).rejects.toThrow('a pin that does not encode')
    expect(retired).toBe(false)
    expect(readFileSync(join(dir, 'old'), 'utf8')).toBe('kept')
    expect(readdirSync(join(env.dir, 'failing'))).toEqual(['raft'])
  })

  it('crdt: an import interrupted after its new state was written whole is moved into place by the next command', async () => {
    const folder = await interruptedAfterWrite('crdt')

    const after = await exportedNames(folder)
    expect(after.stderr).toContain('WARN a state import was interrupted after its state was written: it was moved into place')
    expect(after.names).toHaveLength(300)
    expect(prefixesOf(after.names)).toEqual(['new'])
    expect(existsSync(join(folder, 'crdt.importing'))).toBe(false)
  }, 120_000)
})
