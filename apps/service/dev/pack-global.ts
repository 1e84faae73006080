// Packs apps with their workspace dependencies into tarballs a plain `npm install -g` accepts
// outside the workspace: each `@cluster/*` dependency is rewritten to point at its own tarball
// (`file:`), since these packages are not on a registry here. Used by the global-install test.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const repo = resolve(import.meta.dirname, '..', '..', '..')

interface Workspace { name: string, dir: string, deps: string[] }

function workspaces (): Map<string, Workspace> {
  const out = new Map<string, Workspace>()
  for (const group of ['packages', 'apps']) {
    for (const d of readdirSync(join(repo, group))) {
      const dir = join(repo, group, d)
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
      const deps = Object.keys(pkg.dependencies ?? {}).filter(n => n.startsWith('@cluster/'))
      out.set(pkg.name, { name: pkg.name, dir, deps })
    }
  }
  return out
}

/** Every workspace package `roots` need at run time, dependencies first. */
function closure (all: Map<string, Workspace>, roots: string[]): Workspace[] {
  const order: Workspace[] = []
  const seen = new Set<string>()
  const visit = (name: string): void => {
    if (seen.has(name)) return
    seen.add(name)
    const ws = all.get(name)
    if (ws === undefined) throw new Error(`unknown workspace package ${name}`)
    for (const d of ws.deps) visit(d)
    order.push(ws)
  }
  for (const r of roots) visit(r)
  return order
}

/** Returns the rewritten tarballs of `roots` (install these) in `outDir`. */
export async function packForGlobalInstall (roots: string[], outDir = mkdtempSync(join(repo, '.cache', 'pack-'))): Promise<Map<string, string>> {
  const tarballs = new Map<string, string>()
  for (const ws of closure(workspaces(), roots)) {
    const raw = mkdtempSync(join(outDir, 'raw-'))
    await run('pnpm', ['pack', '--pack-destination', raw], { cwd: ws.dir })
    const file = join(raw, readdirSync(raw).find(f => f.endsWith('.tgz')) as string)
    // Unpack, point @cluster/* dependencies at their tarballs, repack with npm.
    const work = mkdtempSync(join(outDir, 'work-'))
    await run('tar', ['-xzf', file, '-C', work])
    const pkgDir = join(work, 'package')
    const pkgPath = join(pkgDir, 'package.json')
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'))
    for (const dep of ws.deps) pkg.dependencies[dep] = `file:${tarballs.get(dep) as string}`
    delete pkg.devDependencies
    writeFileSync(pkgPath, JSON.stringify(pkg, null, 2))
    const { stdout } = await run('npm', ['pack', '--pack-destination', outDir, '--silent'], { cwd: pkgDir })
    tarballs.set(ws.name, join(outDir, stdout.trim().split('\n').pop() as string))
  }
  return tarballs
}
