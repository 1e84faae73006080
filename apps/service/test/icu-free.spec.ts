/**
 * A peer does not load ICU data (Intl segmentation, collation, normalisation: ~4.5 MiB of resident
 * memory per process) for work that needs none of it. Three patched dependencies see to it
 * (patches/, apps/service/README.md): string-width 7 and 8 (yargs' help layout) make their
 * `Intl.Segmenter` on first need and measure printable ASCII without it, wrap-ansi normalises only
 * text that is not ASCII, and @libp2p/peer-store sorts in code-unit order instead of with
 * `localeCompare`. Checked in child processes whose ICU entry points record each use.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KuboDaemon } from '@cluster/test-utils'
import { startDaemon } from './helpers/daemon-process.ts'

const run = promisify(execFile)
const CLI = join(import.meta.dirname, '..', 'src', 'cli', 'run.ts')

/** Replaces the ICU entry points by recorders (the originals still answer); the log is ICU_LOG. */
const RECORDER = `
import { appendFileSync } from 'node:fs'
const note = (name) => appendFileSync(process.env.ICU_LOG, name + ' ' + (new Error().stack ?? '').split('\\n').slice(3, 6).map(s => s.trim()).join(' < ') + '\\n')
for (const key of ['localeCompare', 'normalize']) {
  const original = String.prototype[key]
  String.prototype[key] = function (...args) { note(key); return original.apply(this, args) }
}
for (const key of ['Segmenter', 'Collator']) {
  const Original = Intl[key]
  Intl[key] = new Proxy(Original, { construct (target, args, newTarget) { note('Intl.' + key); return Reflect.construct(target, args, newTarget) } })
}
`

/** The module file of `name` as `from` (a file or package folder) resolves it. */
function resolveFrom (from: string, name: string): string {
  return createRequire(from).resolve(name)
}

describe('no ICU data for ASCII work', () => {
  let base: string
  let recorder: string

  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'icu-free-'))
    recorder = join(base, 'recorder.mjs')
    writeFileSync(recorder, RECORDER)
  })

  afterAll(() => { rmSync(base, { recursive: true, force: true }) })

  const uses = (log: string): string[] => {
    try {
      return readFileSync(log, 'utf8').split('\n').filter(line => line !== '')
    } catch {
      return []
    }
  }

  it('string-width 7 and 8 and wrap-ansi: same results, ICU only for text beyond ASCII', async () => {
    const yargs = fileURLToPath(import.meta.resolve('yargs'))
    const cliui = resolveFrom(yargs, 'cliui')
    const modules = {
      width8: pathToFileURL(resolveFrom(yargs, 'string-width')).href,
      width7: pathToFileURL(resolveFrom(cliui, 'string-width')).href,
      wrap: pathToFileURL(resolveFrom(cliui, 'wrap-ansi')).href
    }
    const log = join(base, 'width.log')
    const program = `
import { readFileSync } from 'node:fs'
const width8 = (await import(${JSON.stringify(modules.width8)})).default
const width7 = (await import(${JSON.stringify(modules.width7)})).default
const wrap = (await import(${JSON.stringify(modules.wrap)})).default
const read = () => { try { return readFileSync(process.env.ICU_LOG, 'utf8').split('\\n').filter(Boolean).length } catch { return 0 } }
const ascii = ['', 'x', 'Usage: ipfs-cluster-service daemon [options]', '  --consensus  [string]  ~!@#$%^&*()_+{}|:"<>?']
const asciiWidths = ascii.map(s => [width7(s), width8(s)])
const wrapped = wrap('Starts the peer and waits for it to be READY; stops on SIGTERM.', 20)
const usesAfterAscii = read()
const other = ['古い', '👍', 'e\\u0301', '\\u001b[31mred\\u001b[39m', 'tab\\there']
const otherWidths = other.map(s => [width7(s), width8(s)])
const nfc = wrap('caf' + 'e\\u0301', 80)
console.log(JSON.stringify({ ascii, asciiWidths, wrapped, usesAfterAscii, otherWidths, nfc, usesAfter: read() }))
`
    const { stdout } = await run(process.execPath, ['--import', recorder, '--input-type=module', '-e', program], { env: { ...process.env, ICU_LOG: log }, timeout: 30_000 })
    const r = JSON.parse(stdout.trim())
    // Printable ASCII: one column per character.
    expect(r.asciiWidths).toEqual(r.ascii.map((s: string) => [s.length, s.length]))
    expect(r.wrapped).toBe('Starts the peer and\nwaits for it to be\nREADY; stops on\nSIGTERM.')
    expect(r.usesAfterAscii).toBe(0)
    // Beyond ASCII, the libraries' own answers: wide CJK, a wide emoji, a combining accent, colour codes, a tab (ignored).
    expect(r.otherWidths).toEqual([[4, 4], [2, 2], [1, 1], [3, 3], [7, 7]])
    expect(r.nfc).toBe('caf\u00e9')
    expect(r.usesAfter).toBeGreaterThan(0)
  }, 60_000)

  describe('a running peer', () => {
    let kubo: KuboDaemon
    let folder: string

    beforeAll(async () => {
      folder = join(base, 'peer')
      kubo = await KuboDaemon.start({ repoPath: join(base, 'kubo') })
      await run(process.execPath, ['--conditions=source', CLI, '-c', folder, 'init', '--consensus', 'raft', '--randomports', '--force'])
    }, 60_000)

    afterAll(async () => { await kubo?.stop() }, 30_000)

    it('starts, takes a pin and stops without touching ICU', async () => {
      const log = join(base, 'daemon.log')
      const { child } = await startDaemon(folder, ['daemon'], {
        CLUSTER_IPFSHTTP_NODEMULTIADDRESS: kubo.apiMultiaddr,
        ICU_LOG: log,
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${recorder}`.trim()
      })
      try {
        const config = JSON.parse(readFileSync(join(folder, 'service.json'), 'utf8'))
        const port = String(config.api.restapi.http_listen_multiaddress).split('/').pop()
        const cid = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
        const res = await fetch(`http://127.0.0.1:${port}/pins/${cid}`, { method: 'POST' })
        expect(res.status).toBe(200)
        await res.arrayBuffer()
        expect(await (await fetch(`http://127.0.0.1:${port}/id`)).json()).toHaveProperty('id')
      } finally {
        const exited = new Promise(resolve => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
      expect(uses(log)).toEqual([])
    }, 120_000)
  })
})
