/**
 * Issue #20, with a real Kubo: a daemon with stats on counts its IPFS proxy's requests by Kubo
 * endpoint and status, and serves libp2p's metrics from the same registry (Node's process
 * metrics once); promtool accepts the exposition. Without a registry the host has no metrics.
 */
import { execFile, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, KuboDaemon, request, stopChild } from '@cluster/test-utils'
import { startDaemon } from './helpers/daemon-process.ts'
import { promtoolCheck } from './helpers/promtool.ts'
import { createHost } from '../src/cluster/host.ts'

const run = promisify(execFile)
const CLI = join(import.meta.dirname, '..', 'src', 'cli', 'run.ts')

/** Samples of a text exposition: `name{labels}` → value. */
function samples (text: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const at = line.lastIndexOf(' ')
    out.set(line.slice(0, at), Number(line.slice(at + 1)))
  }
  return out
}

describe('the cluster host and libp2p metrics', () => {
  it('registers libp2p metrics in the given registry only, without Node\'s process metrics; none without one', async () => {
    const registry = new Registry()
    const withMetrics = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], secret: '', metricsRegistry: registry })
    const without = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], secret: '' })
    try {
      expect(withMetrics.metrics).toBeDefined()
      expect(without.metrics).toBeUndefined()
      await without.dial(withMetrics.getMultiaddrs()[0]!)
      const text = await registry.metrics()
      expect(text).toMatch(/^# TYPE libp2p_data_transfer_bytes_total counter$/m)
      expect(text).not.toMatch(/^# TYPE process_cpu_seconds_total /m)
    } finally {
      await withMetrics.stop()
      await without.stop()
    }
  })
})

describe('daemon --stats: IPFS proxy and libp2p metrics', () => {
  let base: string
  let kubo: KuboDaemon
  let daemon: ChildProcess
  let metricsUrl: string
  let proxyUrl: string

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'metrics-proxy-'))
    kubo = await KuboDaemon.start({ repoPath: join(base, 'kubo') })
    const folder = join(base, 'peer')
    await run(process.execPath, ['--conditions=source', CLI, '-c', folder, 'init', '--randomports', '--force'])
    const configPath = join(folder, 'service.json')
    const config = JSON.parse(readFileSync(configPath, 'utf8'))
    const metricsPort = await freePort()
    config.observations.metrics.prometheus_endpoint = `/ip4/127.0.0.1/tcp/${metricsPort}`
    writeFileSync(configPath, JSON.stringify(config, null, 2), { mode: 0o600 })
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`
    proxyUrl = `http://127.0.0.1:${String(config.api.ipfsproxy.listen_multiaddress).split('/')[4]}`
    const started = await startDaemon(folder, ['daemon', '--stats'], { CLUSTER_IPFSHTTP_NODEMULTIADDRESS: kubo.apiMultiaddr, CLUSTER_IPFSPROXY_NODEMULTIADDRESS: kubo.apiMultiaddr })
    daemon = started.child
  }, 120_000)

  afterAll(async () => {
    await stopChild(daemon)
    await kubo?.stop()
    rmSync(base, { recursive: true, force: true })
  }, 60_000)

  it('proxy requests move ipfscluster_http_* {api="ipfsproxy"} by route and status; libp2p metrics are served; promtool accepts it', async () => {
    const proxy = proxyUrl
    const form = new FormData()
    form.append('file', new Blob([`proxied ${Date.now()}`]))
    const cid = (await kubo.rpc<{ Key: string }>('block/put', { 'cid-codec': 'raw' }, form)).Key
    expect((await request(`${proxy}/api/v0/version`)).status).toBe(200)
    expect((await request(`${proxy}/api/v0/version`)).status).toBe(200)
    expect((await request(`${proxy}/api/v0/pin/add?arg=${cid}`)).status).toBe(200)
    expect((await request(`${proxy}/api/v0/pin/ls/${cid}`)).status).toBe(200)
    for (const path of ['/api/v0/no/such/command', '/api/v0/nonsense-1', '/api/v0/nonsense-2', '/favicon.ico']) {
      expect((await request(`${proxy}${path}`)).status).toBe(404)
    }
    // The `close` of the last answer may come just after the client read it.
    await new Promise(resolve => setTimeout(resolve, 100))

    const text = await (await fetch(metricsUrl)).text()
    const s = samples(text)
    const series = (route: string, code: number, suffix = ''): number | undefined =>
      s.get(`ipfscluster_http_request${suffix}{api="ipfsproxy",method="POST",route="${route}",code="${code}"}`)
    expect(series('/api/v0/version', 200, 's_total')).toBe(2)
    expect(series('/api/v0/pin/add', 200, 's_total')).toBe(1)
    expect(series('/api/v0/pin/ls', 200, 's_total')).toBe(1)
    // Unknown paths share one label whatever they are.
    expect(series('other', 404, 's_total')).toBe(4)
    expect(series('/api/v0/pin/add', 200, '_duration_seconds_count')).toBe(1)
    expect(series('/api/v0/pin/add', 200, '_duration_seconds_sum')).toBeGreaterThan(0)
    expect([...s.keys()].filter(k => k.includes('api="ipfsproxy"') && k.startsWith('ipfscluster_http_requests_total'))).toHaveLength(4)

    // libp2p's metrics, in the same registry; Node's process metrics only once.
    expect(text).toMatch(/^# TYPE libp2p_data_transfer_bytes_total counter$/m)
    expect(text).toMatch(/^# TYPE nodejs_memory_usage_bytes gauge$/m)
    expect(text.match(/^# TYPE process_cpu_seconds_total /gm)).toHaveLength(1)
    expect([...text.matchAll(/^# TYPE (libp2p_\S+) /gm)].length).toBeGreaterThan(3)

    // promtool: no parse errors; lint findings only on names kept for compatibility (Go's
    // counters without `_total`, prom-client's and libp2p's own names).
    const check = await promtoolCheck(text)
    const problems = check.output.split('\n').filter(l => l.trim() !== '')
    const unexplained = problems.filter(l =>
      !/^ipfscluster_(pins_pin_add|pins_pin_add_errors|blocks_put|blocks_added_size|blocks_added|blocks_put_errors) counter metrics should have "_total" suffix$/.test(l) &&
      !/^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/.test(l) &&
      !/^libp2p_\S+ (non-counter metrics should not have|counter metrics should have) "_total" suffix$/.test(l))
    expect(unexplained).toEqual([])
    expect(check.code === 0 || check.code === 3, check.output).toBe(true)
  })
})
