import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CrdtConsensus } from '@cluster/consensus'
import { defaultPinOptions, Timestamp } from '@cluster/api'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
const N = Number(process.argv[2] ?? 5000)
const dir = mkdtempSync(join(tmpdir(), 'wb-'))
const c = new CrdtConsensus({ id: '12D3KooWRN8KRjpyg9rsW2w7StbBRGper65psTZm68cjud9KAkaW', dataDir: dir, config: { clusterName: 't' } })
await c.start()
const which = process.env.TEMPMEM ?? ''
if (which.includes('s')) c.store.db.pragma('temp_store = MEMORY')
if (which.includes('b')) c.blockstore.db.pragma('temp_store = MEMORY')
if (which.includes('v')) c.state.db.pragma('temp_store = MEMORY')
const cids = []
for (let i = 0; i < N + 500; i++) cids.push(CID.createV1(0x55, await sha256.digest(new TextEncoder().encode('x' + i))))
const alloc = ['12D3KooWRN8KRjpyg9rsW2w7StbBRGper65psTZm68cjud9KAkaW', '12D3KooWJdd22uEEuAkD2x6GGoSFYJVbhfRYHTibvBtVmXyRQpSm']
const pin = (cid, i) => ({ ...defaultPinOptions(), name: 'n' + i, replicationFactorMin: 2, replicationFactorMax: 2, cid, type: 'pin', allocations: alloc, maxDepth: -1, reference: undefined, timestamp: Timestamp.now() })
for (let i = 0; i < 500; i++) await c.logPin(pin(cids[N + i], i))
const t0 = performance.now(); const cpu0 = process.cpuUsage()
for (let i = 0; i < N; i++) await c.logPin(pin(cids[i], i))
const ms = performance.now() - t0; const cpu = process.cpuUsage(cpu0)
console.log(`${N} logPin: ${(1000 * ms / N).toFixed(1)} µs wall, ${((cpu.user + cpu.system) / N).toFixed(1)} µs CPU each (user ${(cpu.user / N).toFixed(1)}, sys ${(cpu.system / N).toFixed(1)})`)
await c.shutdown()
