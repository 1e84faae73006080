// Main job until the cluster service lands: one real Kubo on loopback, the daemon every cluster
// peer runs beside. `--once` checks it works (pin a block, list it) and exits.
import { KuboDaemon } from '@cluster/test-utils'

const once = process.argv.includes('--once')
const kubo = await KuboDaemon.start()
const form = new FormData()
form.append('file', new Blob([`local node started at ${new Date().toISOString()}`]))
const { Key } = await kubo.rpc<{ Key: string }>('block/put', { 'cid-codec': 'raw', pin: 'true' }, form)
const pins = await kubo.rpc<{ Keys: Record<string, unknown> }>('pin/ls', { arg: Key })
console.log(`Kubo ${kubo.peerId} is running.
  RPC API:   ${kubo.apiUrl}  (ipfs --api ${kubo.apiMultiaddr} ...)
  repo:      ${kubo.repoPath}
  test pin:  ${Key} (${Object.keys(pins.Keys).length === 1 ? 'pinned' : 'NOT pinned'})`)

const shutdown = async (): Promise<void> => { await kubo.stop(); process.exit(0) }
if (once) await shutdown()
else {
  console.log('Press Ctrl-C to stop.')
  process.once('SIGINT', () => { void shutdown() })
  process.once('SIGTERM', () => { void shutdown() })
}
