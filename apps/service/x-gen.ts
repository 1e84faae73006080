import { writeFileSync } from 'node:fs'
import { randomCids } from '../../bench/lib/cids.ts'
const ids = ['12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK', '12D3KooWAhYQ7CeNUhBZ9BFWw2ZN8qGbKXzZhGMKVoJ8TD8pFd9b']
const lines = randomCids(Number(process.argv[2])).map((cid) => JSON.stringify({ replication_factor_min: 2, replication_factor_max: 2, name: '', mode: 'recursive', shard_size: 0, user_allocations: null, expire_at: '0001-01-01T00:00:00Z', metadata: null, pin_update: null, origins: [], cid, type: 'pin', allocations: ids, max_depth: -1, reference: null, timestamp: '2026-01-01T00:00:00Z' }))
writeFileSync('/tmp/imp/state.ndjson', lines.join('\n') + '\n')
