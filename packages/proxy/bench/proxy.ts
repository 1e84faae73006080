// Throughput of proxied (non-intercepted) calls through the proxy vs straight to Kubo:
// `block/get` of 1 MiB blocks (BLOCKS per run) and `cat` of a 100 MiB file. Ratio goal ≥ 0.9.
// Run: node --conditions=source packages/proxy/bench/proxy.ts   (BENCH_RUNS, BENCH_CAT_MIB to change)
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { randomBytes } from 'node:crypto'
import type { ClusterApi } from '@cluster/api'
import { KuboDaemon } from '@cluster/test-utils'
import { ProxyServer } from '../src/index.ts'
import { median, summarize, writeResults, type BenchRow } from '../../../scripts/lib/bench-results.ts'

const RUNS = Number(process.env.BENCH_RUNS ?? 7)
const CAT_MIB = Number(process.env.BENCH_CAT_MIB ?? 100)
const BLOCKS = 64
const MIB = 1024 * 1024
const run = promisify(execFile)

/**
 * The client runs in its own process (as a real client would), so the proxy's event loop is not
 * shared with the reading side. It POSTs each URL in turn with keep-alive, discards the bodies and
 * prints the bytes and seconds.
 */
const CLIENT = `
const http = require('node:http')
const agent = new http.Agent({ keepAlive: true })
const urls = JSON.parse(process.argv[1])
function drain (url) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent }, res => {
      let n = 0
      res.on('data', c => { n += c.length })
      res.on('end', () => { res.statusCode === 200 ? resolve(n) : reject(new Error(url + ': ' + res.statusCode)) })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}
;(async () => {
  const start = process.hrtime.bigint()
  let bytes = 0
  for (const u of urls) bytes += await drain(u)
  process.stdout.write(JSON.stringify({ bytes, seconds: Number(process.hrtime.bigint() - start) / 1e9 }))
  agent.destroy()
})().catch(err => { console.error(err); process.exit(1) })
`

/** MiB/s of fetching `urls` one after the other from a separate client process. */
async function mibPerSecond (urls: string[]): Promise<number> {
  const { stdout } = await run(process.execPath, ['-e', CLIENT, JSON.stringify(urls)], { maxBuffer: 1 << 20 })
  const { bytes, seconds } = JSON.parse(stdout) as { bytes: number, seconds: number }
  return bytes / MIB / seconds
}

const kubo = await KuboDaemon.start()
// Non-intercepted calls never touch the cluster.
const proxy = new ProxyServer({} as ClusterApi, { listenMultiaddress: ['/ip4/127.0.0.1/tcp/0'], nodeMultiaddress: kubo.apiMultiaddr })
const proxyUrl = (await proxy.start()).url

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

  // Warm-up (Kubo caches), then alternate direct/proxied runs.
  for (const base of [kubo.apiUrl, proxyUrl]) {
    await mibPerSecond(blockGet(base))
    await mibPerSecond(cat(base))
  }
  const samples: Record<string, number[]> = { blockDirect: [], blockProxy: [], catDirect: [], catProxy: [] }
  for (let r = 0; r < RUNS; r++) {
    samples.blockDirect!.push(await mibPerSecond(blockGet(kubo.apiUrl)))
    samples.blockProxy!.push(await mibPerSecond(blockGet(proxyUrl)))
    samples.catDirect!.push(await mibPerSecond(cat(kubo.apiUrl)))
    samples.catProxy!.push(await mibPerSecond(cat(proxyUrl)))
  }
  const blockRatio = median(samples.blockProxy!) / median(samples.blockDirect!)
  const catRatio = median(samples.catProxy!) / median(samples.catDirect!)
  const rows: BenchRow[] = [
    summarize(`block/get ${BLOCKS}×1 MiB, direct to Kubo`, 'MiB/s', samples.blockDirect!),
    summarize(`block/get ${BLOCKS}×1 MiB, through the proxy`, 'MiB/s', samples.blockProxy!, `ratio ${blockRatio.toFixed(3)}`),
    summarize(`cat ${CAT_MIB} MiB, direct to Kubo`, 'MiB/s', samples.catDirect!),
    summarize(`cat ${CAT_MIB} MiB, through the proxy`, 'MiB/s', samples.catProxy!, `ratio ${catRatio.toFixed(3)}`)
  ]
  writeResults('proxy-throughput', rows, { blockRatio, catRatio, goal: 0.9 })
} finally {
  await proxy.stop()
  await kubo.stop()
}
