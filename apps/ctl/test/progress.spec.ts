/**
 * Progress lines: the ctl (a separate process, from source) against an in-process REST API
 * over a fake cluster whose listings, uploads and pin statuses are slow. Under a pseudo-terminal
 * (util-linux `script`) the progress text is drawn on stderr and erased, leaving the same
 * output; through pipes nothing is drawn and the output is the one Go's ctl prints.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { RestApiServer } from '@cluster/rest-api'
import { addUpload } from '@cluster/adder'
import type { CID, GlobalPinInfo, LocalOption, Pin, PinTypeFilter, TrackerStatusFilter } from '@cluster/api'
import { FakeCluster, syntheticCid } from '@cluster/test-utils'
import { examplePin, P1, P2 } from './fixtures.ts'
import { goCtl, normalise, tsCtl } from './harness.ts'

const CLI = join(import.meta.dirname, '..', 'src', 'cli.ts')
const ERASE = '\r\u001b[K'
const PINS = 30
const ITEM_MS = 15

/**
 * A fake cluster whose listings send one item every ITEM_MS; `onStatus` runs before each
 * single-CID status is answered (with how many were asked so far), so a test can change what the
 * next poll sees whatever the machine's speed.
 */
class SlowCluster extends FakeCluster {
  onStatus: ((calls: number) => void) | undefined
  private statusCalls = 0
  override allocations (filter: PinTypeFilter): AsyncIterable<Pin> { return slow(super.allocations(filter)) }
  override statusAll (filter: TrackerStatusFilter, opts: { local?: boolean } = {}): AsyncIterable<GlobalPinInfo> { return slow(super.statusAll(filter, opts)) }
  override async status (cid: CID, opts: LocalOption = {}): Promise<GlobalPinInfo> {
    this.onStatus?.(++this.statusCalls)
    return await super.status(cid, opts)
  }

  resetStatusCalls (): void { this.statusCalls = 0 }
}

async function * slow<T> (items: AsyncIterable<T>): AsyncGenerator<T> {
  for await (const item of items) { await delay(ITEM_MS); yield item }
}

let server: RestApiServer
let host: string
let dir: string
const fake = new SlowCluster()
fake.adder = (upload, params, signal) => addUpload(upload, params, { put: async () => { await delay(10) } }, signal === undefined ? {} : { signal })

function reset (): void {
  fake.pins.clear()
  fake.statuses.clear()
  fake.peerset = [P1, P2]
  for (let i = 1; i <= PINS; i++) {
    const cid = syntheticCid(i)
    fake.pins.set(cid.toString(), { ...examplePin(), cid, name: `pin-${i}` })
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ctl-progress-'))
  writeFileSync(join(dir, 'big.bin'), Buffer.alloc(24 * 1024 * 1024, 7))
  server = new RestApiServer(fake, { httpListenMultiaddress: ['/ip4/127.0.0.1/tcp/0'] })
  host = (await server.start()).multiaddr
})

afterAll(async () => {
  await server?.stop()
  rmSync(dir, { recursive: true, force: true })
})

interface Out { code: number, stdout: string, stderr: string }

const env = (over: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...process.env, CLUSTER_CREDENTIALS: '', TERM: 'xterm', ...over })
const nodeArgs = (args: string[]): string[] => ['--conditions=source', CLI, '--host', host, ...args]
const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`

function run (file: string, args: string[], over: NodeJS.ProcessEnv = {}): Promise<Out> {
  return new Promise((resolve) => {
    execFile(file, args, { env: env(over), timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1
      resolve({ code, stdout, stderr })
    })
  })
}

/** The ctl with stdout and stderr on a pseudo-terminal: everything it wrote, as the terminal got it. */
const underTerminal = async (args: string[], over: NodeJS.ProcessEnv = {}): Promise<Out> =>
  await run('script', ['-qfec', [process.execPath, ...nodeArgs(args)].map(quote).join(' '), '/dev/null'], over)

/** The ctl with stdout and stderr on pipes. */
const throughPipes = async (args: string[]): Promise<Out> => await run(process.execPath, nodeArgs(args))

/** The terminal's bytes without the progress lines (drawn as ERASE + `<command>: …`, erased with ERASE). */
function withoutProgress (tty: string): string {
  return tty.replace(/\r\u001b\[K((pin ls|status|recover|add|add --wait|pin add --wait|pin rm --wait): [^\r\n]*)?/g, '').replaceAll('\r\n', '\n')
}

/** Progress lines drawn, in order. */
const drawn = (tty: string): string[] => [...tty.matchAll(/\r\u001b\[K([a-z -]+: [^\r\n\u001b]*)/g)].map((m) => m[1]!)

describe('progress on a terminal, nothing through pipes', () => {
  it('pin ls and status: items received so far, then the listing as without progress', async () => {
    for (const args of [['pin', 'ls'], ['status'], ['--enc', 'json', 'pin', 'ls']]) {
      reset()
      const tty = await underTerminal(args)
      reset()
      const piped = await throughPipes(args)
      reset()
      const go = await goCtl(['--host', host, ...args])
      expect(tty.code).toBe(0)
      const lines = drawn(tty.stdout)
      const what = args.includes('status') ? 'status' : 'pin ls'
      expect(lines.length).toBeGreaterThan(0)
      expect(lines.every((l) => new RegExp(`^${what}: \\d+ pins? received, [\\d,]+/s \\(\\d+\\.\\d s\\)$`).test(l))).toBe(true)
      expect(tty.stdout.endsWith(ERASE) || tty.stdout.includes(ERASE)).toBe(true)
      expect(withoutProgress(tty.stdout)).toBe(piped.stdout)
      // Through pipes: Go's output, byte for byte, and nothing on stderr.
      expect(piped).toEqual({ code: 0, stdout: go.stdout, stderr: '' })
      expect(piped.stdout.split('\n').length).toBeGreaterThan(PINS)
    }
  })

  it('--no-progress and TERM=dumb: nothing drawn on a terminal', async () => {
    reset()
    const tty = await underTerminal(['--no-progress', 'pin', 'ls'])
    expect(tty.stdout).not.toContain('\u001b[K')
    expect(tty.stdout.replaceAll('\r\n', '\n')).toBe((await throughPipes(['pin', 'ls'])).stdout)
    const dumb = await underTerminal(['pin', 'ls'], { TERM: 'dumb' })
    expect(dumb.stdout).not.toContain('\u001b[K')
    expect(dumb.stdout.replaceAll('\r\n', '\n')).toBe((await throughPipes(['pin', 'ls'])).stdout)
  })

  it('pin add --wait: peers done of peers allocated', async () => {
    const cid: CID = syntheticCid(500)
    const args = ['pin', 'add', '--wait', '--rmin', '2', '--rmax', '2', cid.toString()]
    // First poll: pinning on both; second: pinned on P1; third: pinned on both.
    const slowPin = (): void => {
      reset()
      fake.statuses.set(cid.toString(), new Map([[P1, 'pinning'], [P2, 'pinning']]))
      fake.resetStatusCalls()
      fake.onStatus = (calls) => {
        if (calls === 2) fake.statuses.get(cid.toString())?.set(P1, 'pinned')
        if (calls === 3) fake.statuses.delete(cid.toString())
      }
    }
    slowPin()
    const tty = await underTerminal(args)
    slowPin()
    const piped = await throughPipes(args)
    fake.onStatus = undefined
    expect(tty.code).toBe(0)
    const lines = drawn(tty.stdout)
    expect(lines[0]).toMatch(/^pin add --wait: waiting for pinned \(0\.\d s\)$/)
    expect(lines.some((l) => l.startsWith('pin add --wait: 0 of 2 peers pinned ('))).toBe(true)
    expect(lines.some((l) => l.startsWith('pin add --wait: 1 of 2 peers pinned ('))).toBe(true)
    expect(normalise(withoutProgress(tty.stdout))).toBe(normalise(piped.stdout))
    expect(piped.code).toBe(0)
    expect(piped.stderr).toBe('')
    expect(piped.stdout).toContain('PINNED')
  })

  it('pin rm --wait: waiting, then the status as without progress', async () => {
    const cid = syntheticCid(3).toString()
    reset()
    const tty = await underTerminal(['pin', 'rm', '--wait', cid])
    reset()
    const piped = await throughPipes(['pin', 'rm', '--wait', cid])
    expect(drawn(tty.stdout)[0]).toMatch(/^pin rm --wait: waiting for unpinned \(0\.\d s\)$/)
    expect(normalise(withoutProgress(tty.stdout))).toBe(normalise(piped.stdout))
    expect(piped).toMatchObject({ code: 0, stderr: '' })
    expect(piped.stdout).toContain('UNPINNED')
  })

  it('add: bytes sent of the total, rate and outputs while the upload streams', async () => {
    const args = ['add', join(dir, 'big.bin')]
    reset()
    const tty = await underTerminal(args)
    reset()
    const piped = await throughPipes(args)
    expect(tty.code).toBe(0)
    const lines = drawn(tty.stdout)
    expect(lines.length).toBeGreaterThan(0)
    for (const l of lines) expect(l).toMatch(/^add: [\d.]+ (B|KiB|MiB) of 24 MiB \(\d+%\) sent, [\d.]+ (B|KiB|MiB)\/s, \d+ added \(\d+\.\d s\)$/)
    expect(withoutProgress(tty.stdout)).toBe(piped.stdout)
    expect(piped).toMatchObject({ code: 0, stderr: '' })
    expect(piped.stdout).toMatch(/^added Qm\w+ big\.bin\n$/)
  })
})

describe('the progress line in-process', () => {
  it('is cut to the terminal width, erased before output, and left out without a terminal', async () => {
    reset()
    const plain = await tsCtl(['--host', host, 'status'])
    reset()
    const tty = await tsCtl(['--host', host, 'status'], { stderrIsTty: true, stderrColumns: () => 30 })
    reset()
    const off = await tsCtl(['--host', host, '--no-progress', 'status'], { stderrIsTty: true })
    expect(plain.stderr).toBe('')
    expect(off).toEqual(plain)
    expect(tty.stdout).toBe(plain.stdout)
    const parts = tty.stderr.split(ERASE).filter((p) => p !== '')
    expect(parts.length).toBeGreaterThan(0)
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(29)
      expect(p).toMatch(/^status: \d+ pins? rece/)
    }
    expect(tty.stderr.endsWith(ERASE)).toBe(true)
  })
})
