/**
 * `--loglevel` and `--debug` (config.md §7, Go's setupLogLevel): what a real daemon prints
 * changes per facility. Lines read `LEVEL facility: message`; at start-up the daemon prints its
 * configuration (service, debug), its listen addresses (cluster, info) and the Raft leader
 * (raft, info).
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KuboDaemon } from '@cluster/test-utils'
import { startDaemon } from './helpers/daemon-process.ts'

const run = promisify(execFile)
const CLI = join(import.meta.dirname, '..', 'src', 'cli', 'run.ts')

const CONFIGURATION = 'DEBUG service: Configuration:'
const LISTENING = 'INFO cluster: IPFS Cluster v1.1.6 listening on:'
const LEADER = 'INFO raft: raft leader: '

describe('daemon log levels per facility', () => {
  let base: string
  let folder: string
  let kubo: KuboDaemon

  /** Starts the daemon with these global flags, waits until it is ready, stops it; its stderr. */
  const daemonOutput = async (flags: string[], env: NodeJS.ProcessEnv = {}): Promise<string> => {
    const { child, stderr } = await startDaemon(folder, [...flags, 'daemon'], { CLUSTER_IPFSHTTP_NODEMULTIADDRESS: kubo.apiMultiaddr, ...env })
    const exited = new Promise(resolve => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
    return stderr()
  }

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'loglevel-'))
    folder = join(base, 'peer')
    kubo = await KuboDaemon.start({ repoPath: join(base, 'kubo') })
    await run(process.execPath, ['--conditions=source', CLI, '-c', folder, 'init', '--consensus', 'raft', '--randomports', '--force'])
  }, 60_000)

  afterAll(async () => {
    await kubo?.stop()
    rmSync(base, { recursive: true, force: true })
  }, 30_000)

  it('default (info): info lines of every facility, no debug', async () => {
    const out = await daemonOutput([])
    expect(out).toContain(LISTENING)
    expect(out).toContain(LEADER)
    expect(out).not.toContain('DEBUG ')
  }, 90_000)

  it('error,raft:info: only the raft facility still prints info (IPFS_CLUSTER_LOG_LEVEL as --loglevel)', async () => {
    const out = await daemonOutput([], { IPFS_CLUSTER_LOG_LEVEL: 'error,raft:info' })
    expect(out).toContain(LEADER)
    expect(out).not.toContain(LISTENING)
    expect(out).not.toMatch(/^(INFO|WARN) (?!raft:)/m)
  }, 90_000)

  it('info,cluster:warn,service:debug: the configuration (secret hidden), no cluster info; an unknown level is ignored with a warning', async () => {
    const out = await daemonOutput(['--loglevel', 'info,cluster:warn,service:debug,raft:loud'])
    expect(out).toContain(CONFIGURATION)
    expect(out).toContain('"secret": "XXX_hidden_XXX"')
    expect(out).not.toContain(LISTENING)
    expect(out).toContain('WARN service: unknown log level in "raft:loud": ignored')
    expect(out).toContain(LEADER)
  }, 90_000)

  it('--debug: every facility at debug, whatever --loglevel says', async () => {
    const out = await daemonOutput(['--debug', '-l', 'error'])
    expect(out).toContain(CONFIGURATION)
    expect(out).toContain(LISTENING)
    expect(out).toContain(LEADER)
  }, 90_000)

  it('--log-format json: every line is a JSON record with level and facility; per-facility levels still apply', async () => {
    const records = (out: string): Array<{ time: string, level: string, facility: string, msg: string }> =>
      out.split('\n').filter(l => l !== '').map(l => JSON.parse(l))
    const all = records(await daemonOutput(['--log-format', 'json', '--loglevel', 'info,service:debug']))
    for (const r of all) {
      expect(Object.keys(r).sort()).toEqual(['facility', 'level', 'msg', 'time'])
      expect(Number.isNaN(Date.parse(r.time))).toBe(false)
    }
    const find = (facility: string, prefix: string): unknown => all.find(r => r.facility === facility && r.msg.startsWith(prefix))
    expect(find('service', 'Configuration:')).toMatchObject({ level: 'debug' })
    expect(find('cluster', 'IPFS Cluster v1.1.6 listening on:')).toMatchObject({ level: 'info' })
    expect(find('raft', 'raft leader: ')).toMatchObject({ level: 'info' })
    expect(find('service', '** IPFS Cluster is READY **')).toMatchObject({ level: 'info' })

    // The environment asks too; raft at info, everything else at error.
    const quiet = records(await daemonOutput([], { IPFS_CLUSTER_LOG_FORMAT: 'json', IPFS_CLUSTER_LOG_LEVEL: 'error,raft:info' }))
    expect(quiet.some(r => r.facility === 'raft' && r.msg.startsWith('raft leader: '))).toBe(true)
    expect(quiet.filter(r => r.facility === 'cluster' || r.level === 'debug')).toEqual([])
  }, 120_000)

  it('an item with two colons is refused with Go\'s message', async () => {
    const bad = await run(process.execPath, ['--conditions=source', CLI, '-c', folder, '-l', 'info,cluster:debug:x', 'daemon']).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number, stderr: string }) => ({ code: err.code, stderr: err.stderr }))
    expect(bad).toEqual({ code: 1, stderr: 'log level not in expected format "identifier:loglevel" or "loglevel"\n' })
  }, 30_000)
})
