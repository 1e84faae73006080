/**
 * `ipfs-cluster-service daemon --stats` (issue #20): a real daemon with a real Kubo serves
 * Prometheus metrics under Go v1.1.6's names; `promtool check metrics` accepts the exposition;
 * the pin gauges and counters follow pins that are added, fail and complete.
 */
import { execFile, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, KuboDaemon, seededBytes, stopChild, until } from '@cluster/test-utils'
import { startDaemon } from './helpers/daemon-process.ts'
import { promtoolCheck } from './helpers/promtool.ts'

const run = promisify(execFile)
const CLI = join(import.meta.dirname, '..', 'src', 'cli', 'run.ts')
/** A CID nobody has: pinning it stalls, then fails once pin_timeout passes without progress. */
const MISSING_CID = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'

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

/** The `# TYPE` of every metric family. */
function types (text: string): Map<string, string> {
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(m => [m[1] as string, m[2] as string]))
}

describe('daemon --stats', () => {
  let base: string
  let kubo: KuboDaemon
  let daemon: ChildProcess
  let stderr = ''
  let metricsUrl: string
  let restUrl: string

  const scrape = async (): Promise<string> => {
    const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) })
    expect(res.status).toBe(200)
    return await res.text()
  }
  const value = async (name: string): Promise<number> => samples(await scrape()).get(name) ?? Number.NaN
  /** Waits until `name` reads `want` (values follow asynchronous pin work). */
  const reaches = async (name: string, want: (v: number) => boolean): Promise<number> =>
    await until(async () => { const v = await value(name); return want(v) ? v : undefined }, `${name} to move`, 30_000)

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'metrics-'))
    kubo = await KuboDaemon.start({ repoPath: join(base, 'kubo') })
    const folder = join(base, 'peer')
    await run(process.execPath, ['--conditions=source', CLI, '-c', folder, 'init', '--consensus', 'raft', '--randomports', '--force'])
    const configPath = join(folder, 'service.json')
    const config = JSON.parse(readFileSync(configPath, 'utf8'))
    const metricsPort = await freePort()
    config.observations.metrics.prometheus_endpoint = `/ip4/127.0.0.1/tcp/${metricsPort}`
    // A pin of missing content fails after one second without progress.
    config.ipfs_connector.ipfshttp.pin_timeout = '1s'
    config.pin_tracker.stateless.max_pin_queue_size = 1000
    writeFileSync(configPath, JSON.stringify(config, null, 2), { mode: 0o600 })
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`
    restUrl = `http://127.0.0.1:${String(config.api.restapi.http_listen_multiaddress).split('/')[4]}`

    const started = await startDaemon(folder, ['daemon', '--stats'], { CLUSTER_IPFSHTTP_NODEMULTIADDRESS: kubo.apiMultiaddr })
    daemon = started.child
    stderr = started.stderr()
  }, 120_000)

  afterAll(async () => {
    await stopChild(daemon)
    await kubo?.stop()
    rmSync(base, { recursive: true, force: true })
  }, 60_000)

  it('serves every metric Go v1.1.6 exports, with its type, and promtool accepts the exposition', async () => {
    expect(stderr).toContain(`stats collection enabled on ${metricsUrl.replace('http://127.0.0.1:', '/ip4/127.0.0.1/tcp/').replace('/metrics', '')}`)
    const text = await scrape()
    const t = types(text)
    for (const name of ['pins', 'pins_pin_queued', 'pins_pinning', 'pins_pin_error', 'pins_ipfs_pins', 'informer_disk']) {
      expect(t.get(`ipfscluster_${name}`), name).toBe('gauge')
    }
    for (const name of ['pins_pin_add', 'pins_pin_add_errors', 'blocks_put', 'blocks_added_size', 'blocks_added', 'blocks_put_errors']) {
      expect(t.get(`ipfscluster_${name}`), name).toBe('counter')
    }
    expect(text).toContain('# HELP ipfscluster_pins Total number of cluster pins')
    // Node's process metrics, and ours.
    expect(t.get('process_cpu_seconds_total')).toBe('counter')
    expect(t.get('nodejs_eventloop_lag_seconds')).toBe('gauge')
    expect(t.get('ipfscluster_http_request_duration_seconds')).toBe('histogram')
    expect(t.get('ipfscluster_consensus_commit_duration_seconds')).toBe('histogram')
    expect(samples(text).get('ipfscluster_consensus_peers')).toBe(1)
    // The single peer elected itself before it was ready.
    expect(samples(text).get('ipfscluster_consensus_leader_changes_total')).toBeGreaterThanOrEqual(1)
    // The disk informer's weight: Kubo's free space, once this peer published it.
    await reaches('ipfscluster_informer_disk', v => v > 0)

    // promtool exits 1 on an exposition it cannot parse, 3 on lint problems only. The only
    // problems allowed are names kept for compatibility: Go's counters have no `_total` suffix,
    // prom-client's nodejs_active_*_total are gauges, and so is libp2p's
    // libp2p_tcp_inbound_connections_total.
    const check = await promtoolCheck(text)
    const problems = check.output.split('\n').filter(l => l.trim() !== '')
    const unexplained = problems.filter(l =>
      !/^ipfscluster_(pins_pin_add|pins_pin_add_errors|blocks_put|blocks_added_size|blocks_added|blocks_put_errors) counter metrics should have "_total" suffix$/.test(l) &&
      !/^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/.test(l) &&
      !/^libp2p_\S+ (non-counter metrics should not have|counter metrics should have) "_total" suffix$/.test(l))
    expect(unexplained).toEqual([])
    expect(check.code).toBe(problems.length === 0 ? 0 : 3)
  })

  it('answers 404 elsewhere and 405 to other methods', async () => {
    expect((await fetch(metricsUrl.replace('/metrics', '/other'))).status).toBe(404)
    const post = await fetch(metricsUrl, { method: 'POST' })
    expect(post.status).toBe(405)
    expect(post.headers.get('allow')).toBe('GET, HEAD')
  })

  it('pin gauges and counters move as a pin is added and completes', async () => {
    const before = samples(await scrape())
    const form = new FormData()
    form.append('file', new Blob([`metrics ${Date.now()}`]))
    const cid = (await kubo.rpc<{ Key: string }>('block/put', { 'cid-codec': 'raw' }, form)).Key
    const res = await fetch(`${restUrl}/pins/${cid}`, { method: 'POST' })
    expect(res.status).toBe(200)

    await reaches('ipfscluster_pins', v => v === (before.get('ipfscluster_pins') ?? 0) + 1)
    await reaches('ipfscluster_pins_pin_add', v => v === (before.get('ipfscluster_pins_pin_add') ?? 0) + 1)
    await reaches('ipfscluster_pins_ipfs_pins', v => v === (before.get('ipfscluster_pins_ipfs_pins') ?? 0) + 1)
    const after = samples(await scrape())
    expect(after.get('ipfscluster_pins_pin_queued')).toBe(0)
    expect(after.get('ipfscluster_pins_pinning')).toBe(0)
    expect(after.get('ipfscluster_consensus_commits_total{op="pin",result="ok"}')).toBeGreaterThanOrEqual(1)
    expect(after.get('ipfscluster_http_requests_total{api="restapi",method="POST",route="/pins/:hash",code="200"}')).toBe(1)
    expect(after.get('ipfscluster_http_request_duration_seconds_count{api="restapi",method="POST",route="/pins/:hash",code="200"}')).toBe(1)
  })

  it('a pin that cannot be fetched ends in pin_error and counts as a failed pin request', async () => {
    const before = samples(await scrape())
    const res = await fetch(`${restUrl}/pins/${MISSING_CID}`, { method: 'POST' })
    expect(res.status).toBe(200)
    await reaches('ipfscluster_pins_pin_error', v => v === 1)
    const after = samples(await scrape())
    expect(after.get('ipfscluster_pins_pin_add_errors')).toBe((before.get('ipfscluster_pins_pin_add_errors') ?? 0) + 1)
    expect(after.get('ipfscluster_pins')).toBe((before.get('ipfscluster_pins') ?? 0) + 1)
    expect(after.get('ipfscluster_pins_pinning')).toBe(0)

    // Unpinned: the failed operation is replaced by the unpin, so the error gauge drops.
    expect((await fetch(`${restUrl}/pins/${MISSING_CID}`, { method: 'DELETE' })).status).toBe(200)
    await reaches('ipfscluster_pins_pin_error', v => v === 0)
    await reaches('ipfscluster_pins', v => v === before.get('ipfscluster_pins'))
  })

  it('an add counts the blocks put to Kubo and their bytes', async () => {
    const before = samples(await scrape())
    const form = new FormData()
    form.append('file', new Blob([seededBytes(300_000, 11)]), 'blob.bin')
    const res = await fetch(`${restUrl}/add?chunker=size-65536`, { method: 'POST', body: form })
    expect(res.status).toBe(200)
    await res.text()
    const after = samples(await scrape())
    expect(after.get('ipfscluster_blocks_put')).toBeGreaterThan(before.get('ipfscluster_blocks_put') ?? 0)
    // Five 64 KiB leaves and a root: at least the 300000 bytes.
    expect((after.get('ipfscluster_blocks_added') ?? 0) - (before.get('ipfscluster_blocks_added') ?? 0)).toBeGreaterThanOrEqual(3)
    expect((after.get('ipfscluster_blocks_added_size') ?? 0) - (before.get('ipfscluster_blocks_added_size') ?? 0)).toBeGreaterThanOrEqual(300_000)
    expect(after.get('ipfscluster_blocks_put_errors')).toBe(0)
  })

  it('a metrics endpoint that cannot listen stops the daemon before the peer starts', async () => {
    const taken = createServer()
    await new Promise<void>(resolve => taken.listen(0, '127.0.0.1', resolve))
    const { port } = taken.address() as { port: number }
    try {
      const folder = join(base, 'second')
      await run(process.execPath, ['--conditions=source', CLI, '-c', folder, 'init', '--consensus', 'raft', '--randomports', '--force'])
      const failed = await run(process.execPath, ['--conditions=source', CLI, '-c', folder, 'daemon', '--stats'], {
        env: { ...process.env, CLUSTER_METRICS_PROMETHEUSENDPOINT: `/ip4/127.0.0.1/tcp/${port}`, CLUSTER_IPFSHTTP_NODEMULTIADDRESS: kubo.apiMultiaddr }
      }).then(() => ({ code: 0, stderr: '' }), (err: { code: number, stderr: string }) => ({ code: err.code, stderr: err.stderr }))
      expect(failed.code).toBe(1)
      expect(failed.stderr).toContain(`Failed to run Prometheus /metrics endpoint: listen 127.0.0.1:${port}: listen EADDRINUSE`)
      expect(failed.stderr).not.toContain('IPFS Cluster is READY')
    } finally {
      await new Promise(resolve => taken.close(resolve))
    }
  }, 60_000)
})
