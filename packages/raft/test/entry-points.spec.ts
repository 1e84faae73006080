import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const pkgDir = resolve(import.meta.dirname, '..')

/**
 * Every module specifier resolved while importing `entry` in a fresh Node process (from the
 * package's own directory, so the package imports itself by name through its "exports"). A
 * synchronous resolve hook records them; `--conditions=source` loads the TypeScript sources.
 */
async function resolvedBy (entry: string): Promise<string[]> {
  const script = `
    import { registerHooks } from 'node:module'
    const seen = []
    registerHooks({ resolve (specifier, context, next) { seen.push(specifier); return next(specifier, context) } })
    await import(${JSON.stringify(entry)})
    console.log(JSON.stringify(seen))`
  const { stdout } = await run(process.execPath, ['--conditions=source', '--input-type=module', '-e', script], { cwd: pkgDir, timeout: 60_000 })
  return JSON.parse(stdout) as string[]
}

const external = (specs: string[]): string[] => specs.filter(s => !s.startsWith('.') && !s.startsWith('file:') && !s.startsWith('@cluster/raft'))

describe('entry points', () => {
  it('the root is the pure core: no native addon, no libp2p, no msgpackr, no Node.js built-in', async () => {
    const specs = await resolvedBy('@cluster/raft')
    expect(specs).toContain('./rawnode.ts') // the hook saw the core's own graph
    expect(external(specs)).toEqual([])
  }, 60_000)

  it('the driver subpath loads neither better-sqlite3 nor libp2p', async () => {
    const ext = external(await resolvedBy('@cluster/raft/node'))
    expect(ext).toContain('msgpackr')
    expect(ext.filter(s => /better-sqlite3|libp2p/.test(s))).toEqual([])
  }, 60_000)

  it('the sqlite and libp2p subpaths load their peers (the check above sees them when they are there)', async () => {
    expect(external(await resolvedBy('@cluster/raft/sqlite'))).toContain('better-sqlite3')
    const ext = external(await resolvedBy('@cluster/raft/libp2p'))
    expect(ext).toContain('@libp2p/utils')
    expect(ext.filter(s => /better-sqlite3/.test(s))).toEqual([])
  }, 60_000)
})
