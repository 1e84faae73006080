import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const pkgDir = resolve(import.meta.dirname, '..')
const repoRoot = resolve(pkgDir, '..', '..')
const work = mkdtempSync(join(tmpdir(), 'raft-pack-'))
let tarball = ''
afterAll(() => { rmSync(work, { recursive: true, force: true }) })

/** The README's runnable example: the ```ts block that starts with the key-value store comment. */
function readmeExample (): string {
  const readme = readFileSync(join(pkgDir, 'README.md'), 'utf8')
  const match = /```ts\n(\/\/ A 3-node replicated key-value store[\s\S]*?)```/.exec(readme)
  if (match?.[1] === undefined) throw new Error('README has no key-value store example')
  return match[1]
}

/** A consumer project outside the workspace with the tarball and the given packages (at our dev versions). */
async function consumer (name: string, pick: string[]): Promise<string> {
  const dir = join(work, name)
  mkdirSync(dir)
  const devDeps = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).devDependencies as Record<string, string>
  writeFileSync(join(dir, 'package.json'), JSON.stringify({
    name: `raft-${name}`, private: true, type: 'module',
    dependencies: { '@cluster/raft': `file:../${tarball}`, ...Object.fromEntries(pick.map(p => [p, devDeps[p]])) }
  }, null, 2))
  await run('pnpm', ['install', '--ignore-workspace', '--reporter=silent'], { cwd: dir, timeout: 240_000 })
  return dir
}

describe('@cluster/raft on its own', () => {
  beforeAll(async () => {
    await run(join(repoRoot, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: pkgDir })
    await run('pnpm', ['pack', '--pack-destination', work], { cwd: pkgDir })
    tarball = readdirSync(work).find(f => f.endsWith('.tgz')) ?? ''
    expect(tarball).not.toBe('')
  }, 120_000)

  it('keeps the README example identical to examples/kv-libp2p.ts', () => {
    expect(readmeExample()).toBe(readFileSync(join(pkgDir, 'examples', 'kv-libp2p.ts'), 'utf8'))
  })

  it('imports the core without better-sqlite3 or libp2p installed; the subpaths that need them say so', async () => {
    const dir = await consumer('core-only', [])
    const script = `
      import { RawNode, MemoryStorage, SeededRng, bootstrapSnapshot } from '@cluster/raft'
      const storage = new MemoryStorage()
      storage.bootstrap(bootstrapSnapshot(['a']))
      const node = new RawNode({ id: 'a', storage, rng: new SeededRng(1) })
      node.campaign()
      console.log('role', node.status().softState.role)
      for (const sub of ['node', 'sqlite', 'libp2p']) {
        try { await import('@cluster/raft/' + sub); console.log(sub, 'loads') } catch (err) { console.log(sub, err.code) }
      }`
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, timeout: 60_000 })
    expect(stdout.trim().split('\n')).toEqual(['role leader', 'node loads', 'sqlite ERR_MODULE_NOT_FOUND', 'libp2p ERR_MODULE_NOT_FOUND'])
  }, 300_000)

  it('installs from its packed tarball with the optional peers and runs the README example', async () => {
    const dir = await consumer('full', [
      'better-sqlite3', '@libp2p/interface', '@libp2p/utils', '@libp2p/peer-id',
      'libp2p', '@libp2p/tcp', '@chainsafe/libp2p-noise', '@chainsafe/libp2p-yamux'
    ])
    writeFileSync(join(dir, 'example.ts'), readmeExample())
    const { stdout } = await run(process.execPath, ['example.ts'], { cwd: dir, timeout: 60_000 })
    expect(stdout).toContain('follower reads hello = world')
  }, 300_000)
})
