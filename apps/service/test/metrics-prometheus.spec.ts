/**
 * A real Prometheus server (Debian's package) scrapes a 3-peer local cluster whose peers have
 * `enable_stats` on, and answers `ipfscluster_pins` through its HTTP API: one series per peer,
 * each following the shared pinset.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, stopChild, until } from '@cluster/test-utils'
import { LocalCluster } from '../dev/local-cluster.ts'

interface QueryAnswer {
  status: string
  data: { resultType: string, result: Array<{ metric: Record<string, string>, value: [number, string] }> }
}

describe('Prometheus scraping a 3-peer cluster', () => {
  let base: string
  let cluster: LocalCluster
  let prometheus: ChildProcess
  let prometheusLog = ''
  let promUrl: string
  const metricsPorts: number[] = []

  /** `ipfscluster_pins` per scraped peer (instance → value) as Prometheus answers it now. */
  const pinsByInstance = async (): Promise<Map<string, number>> => {
    const res = await fetch(`${promUrl}/api/v1/query?query=ipfscluster_pins`, { signal: AbortSignal.timeout(5_000) })
    const answer = await res.json() as QueryAnswer
    expect(answer.status).toBe('success')
    expect(answer.data.resultType).toBe('vector')
    return new Map(answer.data.result.map(r => [r.metric.instance as string, Number(r.value[1])]))
  }

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'metrics-prometheus-'))
    for (let i = 0; i < 3; i++) metricsPorts.push(await freePort())
    cluster = new LocalCluster({
      base,
      peers: 3,
      configure: (c, index) => {
        c.observations.metrics.enable_stats = true
        c.observations.metrics.prometheus_endpoint = `/ip4/127.0.0.1/tcp/${metricsPorts[index] as number}`
      }
    })
    await cluster.start()

    const promPort = await freePort()
    promUrl = `http://127.0.0.1:${promPort}`
    const configPath = join(base, 'prometheus.yml')
    writeFileSync(configPath, [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      'scrape_configs:',
      '  - job_name: cluster',
      '    static_configs:',
      `      - targets: [${metricsPorts.map(p => `'127.0.0.1:${p}'`).join(', ')}]`,
      ''
    ].join('\n'))
    prometheus = spawn('prometheus', [
      `--config.file=${configPath}`, `--storage.tsdb.path=${join(base, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'
    ], { stdio: ['ignore', 'ignore', 'pipe'] })
    prometheus.stderr?.on('data', (d: Buffer) => { prometheusLog += d.toString() })
    await until(async () => {
      if (prometheus.exitCode !== null) throw new Error(`prometheus exited: ${prometheusLog}`)
      return (await fetch(`${promUrl}/-/ready`)).ok ? true : undefined
    }, 'Prometheus to be ready', 30_000)
  }, 180_000)

  afterAll(async () => {
    await stopChild(prometheus)
    await cluster?.stop()
    if (process.env.KEEP_TEST_DIRS === undefined) rmSync(base, { recursive: true, force: true })
  }, 60_000)

  it('every peer is a healthy target and ipfscluster_pins follows a pin on all of them', async () => {
    const instances = metricsPorts.map(p => `127.0.0.1:${p}`).sort()
    const before = await until(async () => {
      const m = await pinsByInstance()
      return m.size === 3 ? m : undefined
    }, 'a first scrape of every peer', 30_000)
    expect([...before.keys()].sort()).toEqual(instances)
    expect([...before.values()]).toEqual([0, 0, 0])

    const up = await (await fetch(`${promUrl}/api/v1/query?query=up`)).json() as QueryAnswer
    expect(up.data.result.map(r => r.value[1])).toEqual(['1', '1', '1'])

    const [p0] = cluster.peers
    const form = new FormData()
    form.append('file', new Blob([`scraped ${Date.now()}`]))
    const cid = (await p0!.kubo!.rpc<{ Key: string }>('block/put', { 'cid-codec': 'raw' }, form)).Key
    expect((await fetch(`${p0!.restUrl}/pins/${cid}`, { method: 'POST' })).status).toBe(200)

    const after = await until(async () => {
      const m = await pinsByInstance()
      return m.size === 3 && [...m.values()].every(v => v === 1) ? m : undefined
    }, 'ipfscluster_pins = 1 on every peer', 30_000)
    expect([...after.keys()].sort()).toEqual(instances)
  })

  it('times peer RPC calls: a status request moves the RPC latency histogram', async () => {
    const [p0] = cluster.peers
    /** Calls p0 made to the other peers that ended well, over every method. */
    const okCalls = async (): Promise<number> => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPorts[0] as number}/metrics`, { signal: AbortSignal.timeout(5_000) })).text()
      expect(text).toContain('# TYPE ipfscluster_rpc_client_duration_seconds histogram')
      let n = 0
      for (const m of text.matchAll(/^ipfscluster_rpc_client_duration_seconds_count\{method="([^"]+)",outcome="ok"\} (\d+)$/gm)) n += Number(m[2])
      return n
    }
    const before = await okCalls()
    // GET /pins asks every peer for its status over RPC.
    expect((await fetch(`${p0!.restUrl}/pins`)).status).toBe(200)
    expect(await okCalls()).toBeGreaterThanOrEqual(before + 2)
  })
})
