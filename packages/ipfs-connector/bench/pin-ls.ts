/*
 * Benchmark (not a test): run from packages/ipfs-connector with
 *   node --conditions=source bench/pin-ls.ts
 * Knobs: BENCH_PINS (100000), BENCH_RUNS (5), BENCH_ADD_BLOCKS (2000).
 *
 * 1. `pin/ls` of BENCH_PINS recursive pins from a real Kubo: through the connector (parsed
 *    entries with CIDs, async iterable) vs the same HTTP call read raw (bytes counted, lines
 *    not parsed) and raw + JSON.parse per line. Medians of time and peak RSS growth.
 * 2. Pin throughput of BENCH_ADD_BLOCKS small local blocks: connector (`IpfsConnector.pin`,
 *    10 at a time as the tracker does; and `KuboClient.pinAdd` one by one) vs one
 *    `ipfs pin add <all cids>` CLI call.
 * Writes /work/main/bench/results/ipfs-connector-<date>.{json,md}.
 */
import http from 'node:http'
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { randomBytes } from 'node:crypto'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import * as raw from 'multiformats/codecs/raw'
import type { KuboDaemon } from '@cluster/test-utils'
import { IpfsConnector, type BlockInput } from '../src/index.ts'
import { startKubo } from '../test/helpers/kubo.ts'

const PINS = Number(process.env.BENCH_PINS ?? 100_000)
const RUNS = Number(process.env.BENCH_RUNS ?? 5)
const ADD_BLOCKS = Number(process.env.BENCH_ADD_BLOCKS ?? 2000)
const RESULTS = resolve(import.meta.dirname, '../../../bench/results')

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2
}

async function makeBlocks (n: number, tag: string): Promise<BlockInput[]> {
  const out: BlockInput[] = []
  for (let i = 0; i < n; i++) {
    const bytes = new TextEncoder().encode(`${tag}-${i}`)
    out.push({ cid: CID.createV1(raw.code, await sha256.digest(bytes)), bytes })
  }
  return out
}

async function * chunked<T> (xs: T[], size: number): AsyncGenerator<T[]> {
  for (let i = 0; i < xs.length; i += size) yield xs.slice(i, i + size)
}

/** Peak RSS growth (bytes) while `fn` runs, sampled every 5 ms. */
async function measure (fn: () => Promise<number>): Promise<{ ms: number, rssGrowth: number, count: number, peakRss: number }> {
  globalThis.gc?.()
  const base = process.memoryUsage().rss
  let peak = base
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 5)
  const t0 = performance.now()
  const count = await fn()
  const ms = performance.now() - t0
  clearInterval(timer)
  peak = Math.max(peak, process.memoryUsage().rss)
  return { ms, rssGrowth: peak - base, count, peakRss: peak }
}

/** The same POST read with node:http, counting newlines (no parsing): the floor. */
function rawCount (kubo: KuboDaemon, parse: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${kubo.apiUrl}/api/v0/pin/ls?stream=true&type=recursive`, { method: 'POST', headers: { 'Content-Length': '0' } }, (res) => {
      let lines = 0
      let carry = ''
      res.on('data', (chunk: Buffer) => {
        if (!parse) {
          for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++
          return
        }
        const text = carry + chunk.toString('utf8')
        const parts = text.split('\n')
        carry = parts.pop() ?? ''
        for (const p of parts) if (p !== '') { JSON.parse(p); lines++ }
      })
      res.on('end', () => { resolve(lines) })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

async function main (): Promise<void> {
  const kubo = await startKubo({ startTimeoutMs: 120_000 })
  const connector = new IpfsConnector({ config: { nodeMultiaddress: kubo.apiMultiaddr } })
  try {
    // ---- setup: PINS recursive pins of tiny raw blocks
    let t0 = performance.now()
    // In batches, so the fixture itself does not inflate this process's RSS.
    const tag = `bench-${randomBytes(4).toString('hex')}`
    for (let done = 0; done < PINS; done += 10_000) {
      const batch = await makeBlocks(Math.min(10_000, PINS - done), `${tag}-${done}`)
      await connector.blockStream(batch)
      for await (const b of chunked(batch, 1000)) await kubo.rpc('pin/add', { arg: b.map(x => x.cid.toString()) })
    }
    const setupMs = performance.now() - t0
    globalThis.gc?.()
    const baseRssMiB = process.memoryUsage().rss / 2 ** 20
    console.log(`setup: ${PINS} pins in ${(setupMs / 1000).toFixed(1)} s`)

    // ---- pin/ls: alternate the three readers, RUNS times each
    const viaConnector: Array<{ ms: number, rssGrowth: number, peakRss: number }> = []
    const viaRaw: Array<{ ms: number, rssGrowth: number }> = []
    const viaRawParse: Array<{ ms: number, rssGrowth: number }> = []
    for (let r = 0; r < RUNS + 1; r++) {
      const c = await measure(async () => {
        let n = 0
        for await (const e of connector.pinLs(['recursive'])) if (e.cid !== undefined) n++
        return n
      })
      const rw = await measure(() => rawCount(kubo, false))
      const rp = await measure(() => rawCount(kubo, true))
      if (c.count < PINS || rw.count < PINS || rp.count < PINS) throw new Error(`short listing: ${c.count}/${rw.count}/${rp.count}`)
      if (r === 0) continue // warm-up
      viaConnector.push(c)
      viaRaw.push(rw)
      viaRawParse.push(rp)
      console.log(`run ${r}: connector ${c.ms.toFixed(0)} ms, raw ${rw.ms.toFixed(0)} ms, raw+JSON.parse ${rp.ms.toFixed(0)} ms`)
    }
    const ls = {
      pins: PINS,
      connectorMs: median(viaConnector.map(x => x.ms)),
      rawMs: median(viaRaw.map(x => x.ms)),
      rawParseMs: median(viaRawParse.map(x => x.ms)),
      baseRssMiB,
      connectorPeakRssMiB: Math.max(...viaConnector.map(x => x.peakRss)) / 2 ** 20,
      connectorRssGrowthMiB: median(viaConnector.map(x => x.rssGrowth)) / 2 ** 20,
      rawRssGrowthMiB: median(viaRaw.map(x => x.rssGrowth)) / 2 ** 20
    }
    const overhead = ls.connectorMs / ls.rawMs

    // ---- pin add throughput
    const addConn: number[] = []
    const addSeq: number[] = []
    const addCli: number[] = []
    const addBlocks = await makeBlocks(ADD_BLOCKS, `add-${randomBytes(4).toString('hex')}`)
    await connector.blockStream(addBlocks)
    const cids = addBlocks.map(b => b.cid.toString())
    const unpinAll = async (): Promise<void> => {
      for await (const batch of chunked(cids, 1000)) await kubo.rpc('pin/rm', { arg: batch })
    }
    for (let r = 0; r < RUNS; r++) {
      t0 = performance.now()
      let next = 0
      await Promise.all(Array.from({ length: 10 }, async () => {
        while (next < cids.length) {
          const cid = cids[next++]
          if (cid !== undefined) await connector.pin({ cid })
        }
      }))
      addConn.push(performance.now() - t0)
      await unpinAll()
      t0 = performance.now()
      for (const cid of cids) await connector.client.pinAdd(cid)
      addSeq.push(performance.now() - t0)
      await unpinAll()
      t0 = performance.now()
      await kubo.cli(['pin', 'add', ...cids])
      addCli.push(performance.now() - t0)
      await unpinAll()
      console.log(`add run ${r + 1}: connector x10 ${addConn.at(-1)?.toFixed(0)} ms, connector seq ${addSeq.at(-1)?.toFixed(0)} ms, cli ${addCli.at(-1)?.toFixed(0)} ms`)
    }
    const add = {
      blocks: ADD_BLOCKS,
      connectorConcurrent10PerSec: ADD_BLOCKS / (median(addConn) / 1000),
      connectorSequentialPerSec: ADD_BLOCKS / (median(addSeq) / 1000),
      cliOneCallPerSec: ADD_BLOCKS / (median(addCli) / 1000)
    }

    const date = new Date().toISOString().slice(0, 10)
    const kuboVersion = (await connector.client.version()).version
    const result = {
      date, node: process.version, kubo: kuboVersion, runs: RUNS, setupMs,
      repoOnTmpfs: kubo.repoPath.startsWith('/dev/shm'), pinLs: { ...ls, overheadRatio: overhead }, pinAdd: add
    }
    const md = [
      `# ipfs-connector benchmark ${date}`,
      '',
      `Kubo ${kuboVersion}, Node ${process.version}, medians of ${RUNS} runs (after one warm-up), repo on ${result.repoOnTmpfs ? 'tmpfs' : 'disk'}.`,
      '',
      `## pin/ls of ${PINS} recursive pins`,
      '',
      '| reader | median time | items/s | peak RSS growth |',
      '|---|---|---|---|',
      `| connector (\`pinLs\`, parsed CIDs) | ${ls.connectorMs.toFixed(0)} ms | ${(PINS / ls.connectorMs * 1000).toFixed(0)} | ${ls.connectorRssGrowthMiB.toFixed(1)} MiB |`,
      `| raw HTTP, newlines counted | ${ls.rawMs.toFixed(0)} ms | ${(PINS / ls.rawMs * 1000).toFixed(0)} | ${ls.rawRssGrowthMiB.toFixed(1)} MiB |`,
      `| raw HTTP + JSON.parse per line | ${ls.rawParseMs.toFixed(0)} ms | ${(PINS / ls.rawParseMs * 1000).toFixed(0)} | |`,
      '',
      `Overhead ratio connector / raw: **${overhead.toFixed(2)}×**. Process RSS before listing ${ls.baseRssMiB.toFixed(0)} MiB, ` +
        `highest during connector listings ${ls.connectorPeakRssMiB.toFixed(0)} MiB (the listing is streamed: memory does not grow with the pinset).`,
      '',
      `## pin add of ${ADD_BLOCKS} small local blocks`,
      '',
      '| method | pins/s |',
      '|---|---|',
      `| \`IpfsConnector.pin\`, 10 concurrent (pin/ls check + pin/add each) | ${add.connectorConcurrent10PerSec.toFixed(0)} |`,
      `| \`KuboClient.pinAdd\`, one at a time | ${add.connectorSequentialPerSec.toFixed(0)} |`,
      `| \`ipfs pin add <all CIDs>\` CLI, one call | ${add.cliOneCallPerSec.toFixed(0)} |`,
      ''
    ].join('\n')
    await mkdir(RESULTS, { recursive: true })
    await writeFile(join(RESULTS, `ipfs-connector-${date}.json`), JSON.stringify(result, null, 2) + '\n')
    await writeFile(join(RESULTS, `ipfs-connector-${date}.md`), md)
    console.log(md)
  } finally {
    connector.shutdown()
    await kubo.stop()
  }
}

await main()
