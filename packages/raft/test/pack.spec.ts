import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const pkgDir = resolve(import.meta.dirname, '..')
const repoRoot = resolve(pkgDir, '..', '..')
const work = mkdtempSync(join(tmpdir(), 'raft-pack-'))
afterAll(() => { rmSync(work, { recursive: true, force: true }) })

/** The README's runnable example: the ```ts block that starts with the key-value store comment. */
function readmeExample (): string {
  const readme = readFileSync(join(pkgDir, 'README.md'), 'utf8')
  const match = /```ts\n(\/\/ A 3-node replicated key-value store[\s\S]*?)```/.exec(readme)
  if (match?.[1] === undefined) throw new Error('README has no key-value store example')
  return match[1]
}

describe('@cluster/raft on its own', () => {
  it('keeps the README example identical to examples/kv-libp2p.ts', () => {
    expect(readmeExample()).toBe(readFileSync(join(pkgDir, 'examples', 'kv-libp2p.ts'), 'utf8'))
  })

  it('installs from its packed tarball in a project outside the workspace and runs the README example', async () => {
    await run(join(repoRoot, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: pkgDir })
    await run('pnpm', ['pack', '--pack-destination', work], { cwd: pkgDir })
    const tarball = readdirSync(work).find(f => f.endsWith('.tgz'))
    expect(tarball).toBeDefined()

    const devDeps = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).devDependencies as Record<string, string>
    const pick = ['libp2p', '@libp2p/tcp', '@chainsafe/libp2p-noise', '@chainsafe/libp2p-yamux']
    writeFileSync(join(work, 'package.json'), JSON.stringify({
      name: 'raft-consumer', private: true, type: 'module',
      dependencies: { '@cluster/raft': `file:./${tarball}`, ...Object.fromEntries(pick.map(p => [p, devDeps[p]])) }
    }, null, 2))
    await run('pnpm', ['install', '--ignore-workspace', '--reporter=silent'], { cwd: work, timeout: 240_000 })
    writeFileSync(join(work, 'example.ts'), readmeExample())

    const { stdout } = await run(process.execPath, ['example.ts'], { cwd: work, timeout: 60_000 })
    expect(stdout).toContain('follower reads hello = world')
  }, 300_000)
})
