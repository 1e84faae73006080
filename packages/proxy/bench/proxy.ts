// Throughput of proxied (non-intercepted) calls through our proxy and Go's vs straight to Kubo:
// `block/get` of 1 MiB blocks (BLOCKS per run) and `cat` of a 100 MiB file. Ratio goal ≥ 0.9.
// Run: node --conditions=source packages/proxy/bench/proxy.ts   (BENCH_RUNS, BENCH_CAT_MIB to change)
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { randomBytes } from 'node:crypto'
import type { ClusterApi } from '@cluster/api'
import { KuboDaemon } from '@cluster/test-utils'
import { ProxyServer } from '../src/index.ts'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { median, summarize, writeResults, type BenchRow } from '../../../scripts/lib/bench-results.ts'
import { BenchCluster } from '../../../bench/lib/cluster.ts'
import { goFlavour } from '../../../bench/lib/go-cluster.ts'
import { installCleanupHandlers } from '../../../bench/lib/processes.ts'

const RUNS = Number(process.env.BENCH_RUNS ?? 15)
const CAT_MIB = Number(process.env.BENCH_CAT_MIB ?? 100)
const BLOCKS = 64
const MIB = 1024 * 1024
const run = promisify(execFile)

/**
 * The client is curl in its own process (lean, like the Go `ipfs` CLI; a Node client would take
 * CPU from the 2 cores that Kubo and the proxy share): it POSTs each URL in turn, reusing the
 * connection when the server allows it, and discards the bodies.
 */
async function mibPerSecond (urls: string[]): Promise<number> {
  const args = ['-s', '-f', '-X', 'POST', '-w', '%{size_download}\n']
  for (const u of urls) args.push('-o', '/dev/null', u)
  const start = process.hrtime.bigint()
  const { stdout } = await run('curl', args, { maxBuffer: 1 << 20 })
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  const bytes = stdout.trim().split('\n').reduce((sum, n) => sum + Number(n), 0)
  return bytes / MIB / seconds
}

/** Go IPFS Cluster v1.1.6 with one peer in front of the same Kubo: its proxy is the reference. */
async function goProxy (kuboApi: string): Promise<{ url: string, cluster: BenchCluster } | undefined> {
  try {
    await goFlavour.prepare()
  } catch (err) {
    console.error(`Go ipfs-cluster-service unavailable (${(err as Error).message}): measuring without it`)
    return undefined
  }
  const cluster = new BenchCluster({
    flavour: goFlavour,
    kuboApis: [kuboApi],
    configure: (config) => { config.cluster.replication_factor_min = -1; config.cluster.replication_factor_max = -1 }
  })
  await cluster.start()
  const config = JSON.parse(readFileSync(join(cluster.peers[0]!.folder, 'service.json'), 'utf8'))
  const [, , host, , port] = String([config.api.ipfsproxy.listen_multiaddress].flat()[0]).split('/')
  return { url: `http://${host}:${port}`, cluster }
}

installCleanupHandlers()
const kubo = await KuboDaemon.start()
// Non-intercepted calls never touch the cluster.
const proxy = new ProxyServer({} as ClusterApi, { listenMultiaddress: ['/ip4/127.0.0.1/tcp/0'], nodeMultiaddress: kubo.apiMultiaddr })
const proxyUrl = (await proxy.start()).url
const go = await goProxy(kubo.apiMultiaddr)

try {
  const blocks: string[] = []
  for (let i = 0; i < BLOCKS; i++) {
    const form = new FormData()
    form.append('file', new Blob([randomBytes(MIB)]))
    blocks.push((await kubo.rpc<{ Key: string }>('block/put', {}, form)).Key)
  }
  const form = new FormData()
  form.append('file', new Blob([randomBytes(CAT_MIB * MIB)]))
  const added = await kubo.rpc<{ Hash: string }>('add', { pin: 'true', quieter: 'true' }, form)

  const blockGet = (base: string): string[] => blocks.map(b => `${base}/api/v0/block/get?arg=${b}`)
  const cat = (base: string): string[] => [`${base}/api/v0/cat?arg=${added.Hash}`]

  const targets: Array<[string, string]> = [['direct to Kubo', kubo.apiUrl], ['through our proxy', proxyUrl]]
  if (go !== undefined) targets.push(['through the Go v1.1.6 proxy', go.url])
  // Warm-up (Kubo caches), then alternate the targets.
  for (const [, base] of targets) {
    await mibPerSecond(blockGet(base))
    await mibPerSecond(cat(base))
  }
  const samples = new Map(targets.map(([name]) => [name, { block: [] as number[], cat: [] as number[] }]))
  for (let r = 0; r < RUNS; r++) {
    for (const [name, base] of targets) samples.get(name)!.block.push(await mibPerSecond(blockGet(base)))
    for (const [name, base] of targets) samples.get(name)!.cat.push(await mibPerSecond(cat(base)))
  }
  const direct = samples.get('direct to Kubo')!
  const ratios: Record<string, number> = {}
  const rows: BenchRow[] = []
  for (const kind of ['block', 'cat'] as const) {
    for (const [name] of targets) {
      const s = samples.get(name)!
      const ratio = median(s[kind]) / median(direct[kind])
      if (name !== 'direct to Kubo') ratios[`${kind}:${name}`] = ratio
      const label = kind === 'block' ? `block/get ${BLOCKS}×1 MiB, ${name}` : `cat ${CAT_MIB} MiB, ${name}`
      rows.push(summarize(label, 'MiB/s', s[kind], name === 'direct to Kubo' ? '' : `ratio ${ratio.toFixed(3)} of direct`))
    }
  }
  writeResults('proxy-throughput', rows, { ratios, goal: 0.9, client: 'curl' })
} finally {
  await proxy.stop()
  await go?.cluster.stop()
  await kubo.stop()
}
