/**
 * The configuration folder's files are replaced whole (replace-file.ts): a writer killed at any
 * moment leaves the old file or the new one. With a plain `writeFile` (truncate, then write) the
 * same kill left a partial file 7 times out of 20 here.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readPeerstoreFile, writePeerstoreFile } from '../src/config/index.ts'
import { replaceFile } from '../src/config/replace-file.ts'

const SIZE = 8 << 20
const REPLACE_FILE = join(import.meta.dirname, '..', 'src', 'config', 'replace-file.ts')

/** A child that replaces `path` with 8 MiB of 'A's, then of 'B's, … until it is killed. */
const WRITER = `
const [module, path, size] = process.argv.slice(1)
const { replaceFile } = await import(module)
const texts = ['B', 'A'].map(c => c.repeat(Number(size)))
process.send('ready')
for (let i = 0; ; i++) await replaceFile(path, texts[i % 2])
`

describe('replaceFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'replace-file-'))
  afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

  it('a writer killed with SIGKILL at any moment leaves the old text or the new one, whole', async () => {
    const path = join(dir, 'target')
    writeFileSync(path, 'A'.repeat(SIZE))
    // Kills spread over a few replacements' time.
    const t0 = performance.now()
    await replaceFile(join(dir, 'timing'), 'A'.repeat(SIZE))
    const oneWriteMs = performance.now() - t0
    for (let round = 0; round < 20; round++) {
      const child = spawn(process.execPath, ['--conditions=source', '--input-type=module', '-e', WRITER, REPLACE_FILE, path, String(SIZE)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
      const exited = new Promise(resolve => { child.once('exit', resolve) })
      await new Promise(resolve => { child.once('message', resolve) })
      await new Promise(resolve => setTimeout(resolve, oneWriteMs * (0.2 + (round % 10) / 4)))
      child.kill('SIGKILL')
      await exited
      const text = readFileSync(path, 'latin1')
      expect(text.length).toBe(SIZE)
      expect(text === 'A'.repeat(SIZE) || text === 'B'.repeat(SIZE)).toBe(true)
    }
  }, 120_000)

  it('keeps a new file\'s mode (less the umask) and leaves no temporary file', async () => {
    const path = join(dir, 'secret')
    await replaceFile(path, 'one', 0o600)
    await replaceFile(path, 'two', 0o600)
    expect(readFileSync(path, 'utf8')).toBe('two')
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(readdirSync(dir).filter(f => f.startsWith('secret'))).toEqual(['secret'])
  })

  it('is how the peerstore is saved', async () => {
    const path = join(dir, 'peerstore')
    const addrs = ['/ip4/10.0.0.1/tcp/9096/p2p/12D3KooWQuajcAJFCqMA9FzSCmeu2NDiAG4YUp2RVgooKB82UKRg']
    writeFileSync(`${path}.tmp`, 'left by a crash')
    await writePeerstoreFile(path, addrs)
    expect(await readPeerstoreFile(path)).toEqual(addrs)
    expect(readdirSync(dir).filter(f => f.startsWith('peerstore'))).toEqual(['peerstore'])
  })
})
