// One measurement of apps/service/bench/idle-memory.ts, in its own process: what `mode` loads
// and holds once idle, read after forced collections. Prints one JSON line. Plain JavaScript, so
// Node's TypeScript stripper is not loaded into the measured process.
import { existsSync, readFileSync } from 'node:fs'

const [mode, folder, distRoot] = process.argv.slice(2)

async function load () {
  if (mode === 'bare') return async () => {}
  if (mode === 'libp2p') {
    // The floor of any libp2p peer in Node: the stack our host is built of, imported, unused.
    await import('libp2p')
    await import('@chainsafe/libp2p-noise')
    await import('@chainsafe/libp2p-yamux')
    await import('@libp2p/gossipsub')
    await import('@libp2p/tcp')
    return async () => {}
  }
  // The bundle the bin runs (dist/bundle/), else the compiled modules of an older build.
  const bundled = `${distRoot}/bundle/daemon.js`
  const { startDaemon } = await import(existsSync(bundled) ? bundled : `${distRoot}/cli/daemon.js`)
  const daemon = await startDaemon(folder, {}, { out: () => {}, err: () => {} })
  return async () => { await daemon.stop() }
}

const stop = await load()
await new Promise(resolve => setTimeout(resolve, 8_000))
const gc = globalThis.gc
for (let i = 0; i < 3; i++) {
  gc?.()
  await new Promise(resolve => setTimeout(resolve, 300))
}
const status = readFileSync('/proc/self/status', 'utf8')
const mib = (key) => Number(new RegExp(`${key}:\\s*(\\d+)`).exec(status)?.[1] ?? NaN) / 1024
console.log(JSON.stringify({ rss: mib('VmRSS'), anon: mib('RssAnon'), heapUsed: process.memoryUsage().heapUsed / 2 ** 20 }))
await stop()
process.exit(0)
