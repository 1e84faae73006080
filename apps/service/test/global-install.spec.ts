import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { KuboDaemon } from '@cluster/test-utils'
import { packForGlobalInstall } from '../dev/pack-global.ts'

const run = promisify(execFile)
const repo = resolve(import.meta.dirname, '..', '..', '..')
const prefix = mkdtempSync(join(tmpdir(), 'global-prefix-'))
const work = mkdtempSync(join(repo, '.cache', 'global-'))
afterAll(() => {
  rmSync(prefix, { recursive: true, force: true })
  rmSync(work, { recursive: true, force: true })
})

/** npm's answers that come from the registry side (a stale or failing mirror), not from the packages. */
const REGISTRY_FLAKE = /\b(ETARGET|ECONNRESET|ETIMEDOUT|EAI_AGAIN|E5\d\d|ECONNREFUSED)\b/

/**
 * `npm install -g` of the tarballs; when the registry answers badly (a registry once listed a
 * version in its answer yet refused it: `ETARGET` for metro-cache@0.87.3, published a month
 * before), up to two more attempts, asking the registry again rather than npm's cache.
 */
async function npmInstallGlobal (tarballs: string[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error',
        ...(attempt > 1 ? ['--prefer-online'] : []), ...tarballs], { timeout: 300_000 })
      return
    } catch (err) {
      if (attempt >= 3 || !REGISTRY_FLAKE.test(String((err as { stderr?: string }).stderr ?? ''))) throw err
      await new Promise(resolve => setTimeout(resolve, 5_000))
    }
  }
}

describe('global install', () => {
  it('installs ipfs-cluster-service (and ipfs-cluster-follow) and ipfs-cluster-ctl with npm into a fresh prefix; both run; one peer inits and serves', async () => {
    await run(join(repo, 'node_modules', '.bin', 'turbo'), ['run', 'build', '--filter=@cluster/service...', '--filter=@cluster/ctl...', '--output-logs=errors-only'], { cwd: repo, env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } })
    const tarballs = await packForGlobalInstall(['@cluster/service', '@cluster/ctl'], work)
    await npmInstallGlobal([tarballs.get('@cluster/service') as string, tarballs.get('@cluster/ctl') as string])
    const bin = (name: string): string => join(prefix, 'bin', name)

    expect((await run(bin('ipfs-cluster-service'), ['--version'])).stdout).toBe('ipfs-cluster-service version 1.1.6\n')
    expect((await run(bin('ipfs-cluster-ctl'), ['--version'])).stdout).toContain('1.1.6')
    expect((await run(bin('ipfs-cluster-follow'), ['--version'])).stdout).toBe('ipfs-cluster-follow version 1.1.6\n')

    const folder = join(work, 'peer')
    await run(bin('ipfs-cluster-service'), ['-c', folder, 'init', '--randomports'])
    const kubo = await KuboDaemon.start()
    const daemon = spawn(bin('ipfs-cluster-service'), ['-c', folder, 'daemon'], {
      env: { ...process.env, CLUSTER_IPFSHTTP_NODEMULTIADDRESS: kubo.apiMultiaddr }, stdio: ['ignore', 'pipe', 'pipe']
    })
    try {
      let log = ''
      daemon.stderr.on('data', (c: Buffer) => { log += c.toString() })
      const deadline = Date.now() + 60_000
      while (!log.includes('** IPFS Cluster is READY **') && daemon.exitCode === null && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 100))
      expect(log).toContain('** IPFS Cluster is READY **')
      const api = [JSON.parse(readFileSync(join(folder, 'service.json'), 'utf8')).api.restapi.http_listen_multiaddress].flat()[0] as string
      const { stdout } = await run(bin('ipfs-cluster-ctl'), ['--host', api, 'id'])
      expect(stdout).toMatch(/^12D3KooW\S+ \| \S+ \| Sees 0 other peers/)
    } finally {
      daemon.kill('SIGTERM')
      await new Promise(resolve => { if (daemon.exitCode !== null) resolve(null); else daemon.once('exit', resolve) })
      await kubo.stop()
    }
  }, 600_000)
})
