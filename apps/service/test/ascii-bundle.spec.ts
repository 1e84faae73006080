// The programs' bundles are pure ASCII (scripts/ascii-bundle.mjs, run by the builds): Node keeps
// a module's source as a V8 string, and one character beyond ASCII makes the whole file a
// two-byte string (twice its memory in every peer).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'

const repo = join(import.meta.dirname, '..', '..', '..')
const script = join(repo, 'scripts', 'ascii-bundle.mjs')
const NOT_ASCII = /[^\x00-\x7f]/

describe('ascii-bundle.mjs', () => {
  it('replaces what is beyond ASCII in comments unit for unit, so the code and its columns stay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ascii-bundle-'))
    try {
      // As esbuild writes it: the string escaped, the comments verbatim.
      const source = '/** caf\u00e9 \u2014 \u{1F600} */\nexport const s = "caf\\xE9 \\u2014"; export const col = new Error().stack // \u00a7 7.2\n'
      writeFileSync(join(dir, 'bundle.js'), source)
      writeFileSync(join(dir, 'notes.txt'), '\u00e9')
      execFileSync(process.execPath, [script, dir])
      const out = readFileSync(join(dir, 'bundle.js'), 'utf8')
      expect(out).toBe('/** caf? ? ?? */\nexport const s = "caf\\xE9 \\u2014"; export const col = new Error().stack // ? 7.2\n')
      expect(out.length).toBe(source.length)
      const loaded = await import(pathToFileURL(join(dir, 'bundle.js')).href) as { s: string }
      expect(loaded.s).toBe('caf\u00e9 \u2014')
      // Only .js files of the folder.
      expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('\u00e9')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('has made the built bundles of ipfs-cluster-service, -follow and -ctl pure ASCII', () => {
    const bundleDir = join(import.meta.dirname, '..', 'dist', 'bundle')
    const files = [
      ...readdirSync(bundleDir).filter(n => n.endsWith('.js')).map(n => join(bundleDir, n)),
      join(repo, 'apps', 'ctl', 'dist', 'ipfs-cluster-ctl.mjs')
    ]
    expect(files.length).toBeGreaterThan(10)
    expect(files.filter(f => NOT_ASCII.test(readFileSync(f, 'utf8')))).toEqual([])
  })
})
