// Temporary probe: how long a CRDT peer takes to catch up after SIGSTOP.
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { sleep } from '../../bench/lib/load.ts'
import { createEnv } from '../lib/environments.ts'
import { SMALL } from '../lib/mode.ts'
import { PinLoad } from '../lib/pin-load.ts'

const preload = Number(process.argv[2] ?? 0)
const pauseMs = Number(process.argv[3] ?? 4000)
const env = await createEnv('crdt', SMALL)
const cluster = env.cluster
const t0 = Date.now()
const log = (s: string): void => { console.log(`[${((Date.now() - t0) / 1000).toFixed(2)}] ${s}`) }
const counts = async (): Promise<number[]> => (await Promise.all(cluster.peers.map(async p => await cluster.allocations(p.index, 20_000)))).map(s => s instanceof Error ? -1 : s.size)
try {
  if (preload > 0) {
    const pre = new PinLoad({ clients: 16, maxPins: preload, requestTimeoutMs: 20_000, targets: () => cluster.live().map(p => p.restUrl), nextCid: env.nextCid })
    pre.start()
    while ((await counts()).some(c => c < preload * 0.99)) await sleep(1000)
    await pre.stop()
    await sleep(2000)
    log(`preloaded: ${(await counts()).join('/')}`)
  }
  if (process.env.KILL_ALL) {
    for (const i of [0, 1, 2]) await cluster.kill(i)
    await sleep(2500)
    for (const i of [0, 1, 2]) await cluster.restart(i, 20_000)
    log(`restarted all: ${(await counts()).join('/')}`)
    const w = new PinLoad({ clients: 16, maxPins: 3000, requestTimeoutMs: 20_000, targets: () => cluster.live().map(p => p.restUrl), nextCid: env.nextCid })
    w.start(); await sleep(3000); await w.stop()
    while ((await counts()).some(c => c !== (0))) { const c = await counts(); if (c.every(x => x === c[0])) break; await sleep(500) }
    log(`settled: ${(await counts()).join('/')}`)
  }
  const load = new PinLoad({ clients: 16, maxPins: 5000, requestTimeoutMs: 20_000, targets: () => cluster.live().map(p => p.restUrl), nextCid: env.nextCid })
  load.start()
  await sleep(1000)
  log('pause peer1'); cluster.pause(1)
  await sleep(pauseMs)
  cluster.resume(1); log('resumed peer1')
  await sleep(1500)
  const s = await load.stop()
  log(`load stopped: acked ${s.acked}`)
  const end = Date.now() + 40_000
  while (Date.now() < end) {
    const c = await counts()
    log(`counts ${c.join('/')}`)
    if (c.every(x => x === c[0])) break
    await sleep(250)
  }
} finally {
  for (const p of cluster.peers) copyFileSync(join(p.folder, 'daemon.log'), `/tmp/probe-peer${p.index}.log`)
  await env.close()
}
