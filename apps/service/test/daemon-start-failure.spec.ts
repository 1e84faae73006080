import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { main } from '../src/cli/main.ts'
import { capture } from './helpers/capture.ts'
import { startDaemon } from './helpers/daemon-process.ts'
import { kuboEnvFixture } from './helpers/kubo-env.ts'

const CLI = join(import.meta.dirname, '..', 'src', 'cli', 'run.ts')

/** Runs `run.ts <args…>` to its end; a process still running after `timeoutMs` is killed and reported. */
async function runToEnd (args: string[], timeoutMs: number): Promise<{ code: number | null, stderr: string, killed: boolean }> {
  const child = spawn(process.execPath, ['--conditions=source', CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  let killed = false
  const timer = setTimeout(() => { killed = true; child.kill('SIGKILL') }, timeoutMs)
  const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
  clearTimeout(timer)
  return { code, stderr, killed }
}

describe('a daemon whose start fails, or whose peer addresses are odd', () => {
  const env = kuboEnvFixture('service-start-failure-')

  it('skips peerstore lines that name no peer or do not parse, with a warning each, and starts (as Go does)', async () => {
    const folder = join(env.dir, 'odd-peerstore')
    expect(await main(['-c', folder, 'init', '--randomports'], capture())).toBe(0)
    const other = 'QmSZNMb8uztNA4S2yzEKQtSoEc1VPAxog91JAjR9Ye1deS'
    writeFileSync(join(folder, 'peerstore'), `garbage\n/ip4/192.0.2.1/tcp/9096\n/ip4/not-an-ip/tcp/1/p2p/${other}\n\u0000\u00ff\n/ip4/192.0.2.2/tcp/9096/p2p/${other}\n`)
    const daemon = await startDaemon(folder, ['daemon'])
    try {
      expect(daemon.stderr()).toContain('peer address /ip4/192.0.2.1/tcp/9096 skipped: multiaddress does not contain peer ID')
      expect(daemon.stderr()).toMatch(/error parsing multiaddress from .*peerstore/)
    } finally {
      daemon.child.kill('SIGTERM')
      await new Promise(resolve => daemon.child.once('exit', resolve))
    }
    expect(daemon.child.exitCode).toBe(0)
  }, 90_000)

  it('ends the process when the start fails after the host listens (a bootstrap address naming no peer)', async () => {
    const folder = join(env.dir, 'bad-bootstrap')
    expect(await main(['-c', folder, 'init', '--randomports'], capture())).toBe(0)
    // The peer's libp2p host is up when the join fails: before, it was left listening and the
    // process neither ended nor answered SIGTERM.
    const run = await runToEnd(['-c', folder, 'daemon', '--bootstrap', '/ip4/127.0.0.1/tcp/1'], 60_000)
    expect(run.killed).toBe(false)
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('error creating cluster peer:')
    expect(JSON.parse(readFileSync(join(folder, 'identity.json'), 'utf8'))).toHaveProperty('id')
  }, 90_000)
})
