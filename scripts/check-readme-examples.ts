// Type-checks the TypeScript examples of every package README (```ts blocks; a block opened with
// "```ts fragment" is a piece of a larger program and is left out). Each example is written next
// to its README (in .readme-examples/, git-ignored) so that it resolves packages as a user of
// that package would, and all of them are checked by one `tsc --noEmit`. Examples opened with
// "```ts run" stand alone: they are then run with Node (from the package sources) and must exit 0.
// Run: node scripts/check-readme-examples.ts (npm test runs it).
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { globSync } from 'node:fs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const readmes = globSync(['packages/*/README.md', 'apps/*/README.md'], { cwd: root })
const files: string[] = []
const runnable: string[] = []
const origin = new Map<string, string>()
for (const readme of readmes) {
  const dir = join(root, dirname(readme), '.readme-examples')
  rmSync(dir, { recursive: true, force: true })
  const text = readFileSync(join(root, readme), 'utf8')
  let n = 0
  for (const match of text.matchAll(/^```(ts|typescript)([^\n]*)\n([\s\S]*?)^```/gm)) {
    if ((match[2] ?? '').includes('fragment')) continue
    mkdirSync(dir, { recursive: true })
    const file = join(dir, `example-${++n}.ts`)
    // `export {}`: each example is a module (top-level await, no global name clashes).
    writeFileSync(file, `${match[3] ?? ''}\nexport {}\n`)
    files.push(file)
    if ((match[2] ?? '').split(/\s+/).includes('run')) runnable.push(file)
    const line = text.slice(0, match.index).split('\n').length
    origin.set(relative(root, file), `${readme}:${line}`)
  }
}
const tsconfig = join(root, 'node_modules', '.readme-examples.tsconfig.json')
writeFileSync(tsconfig, JSON.stringify({
  extends: '../tsconfig.base.json',
  compilerOptions: { noEmit: true, declaration: false, declarationMap: false, sourceMap: false, noUnusedLocals: false },
  files
}, null, 2))
try {
  execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', tsconfig], { cwd: root, stdio: 'pipe' })
  console.log(`README examples: ${files.length} type-checked`)
  runExamples()
} catch (err) {
  const out = String((err as { stdout?: Buffer }).stdout ?? '')
  // Point each error at the README block it comes from.
  console.error(out.replace(/^(\S+\.readme-examples\/example-\d+\.ts)/gm, (path: string) => `${path} [${origin.get(path.replace(/\(.*$/, '')) ?? '?'}]`))
  console.error(`README examples: type errors (${files.length} examples)`)
  process.exitCode = 1
}

/** Runs each runnable example on its own (a package imports itself by name: Node's self-reference). */
function runExamples (): void {
  let failed = 0
  for (const file of runnable) {
    try {
      execFileSync(process.execPath, ['--conditions=source', file], { cwd: dirname(file), stdio: 'pipe', timeout: 60_000 })
    } catch (err) {
      failed++
      const e = err as { stderr?: Buffer, message: string }
      console.error(`${origin.get(relative(root, file)) ?? file}: the example failed to run\n${String(e.stderr ?? e.message)}`)
    }
  }
  console.log(`README examples: ${runnable.length - failed} of ${runnable.length} runnable ones ran`)
  if (failed > 0) process.exitCode = 1
}
