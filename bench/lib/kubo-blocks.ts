// Blocks put straight on a real Kubo (`block/put`, 500 per request): content for pins to fetch.
import type { KuboDaemon } from '@cluster/test-utils'
import { randomBlock } from './cids.ts'

/** Puts `n` random 64-byte raw blocks on `kubo` (not pinned); returns their CIDs. */
export async function putBlocks (kubo: KuboDaemon, n: number): Promise<string[]> {
  const cids: string[] = []
  for (let done = 0; done < n;) {
    const batch = Math.min(500, n - done)
    const form = new FormData()
    for (let i = 0; i < batch; i++) {
      const b = randomBlock(64)
      cids.push(b.cid)
      form.append('file', new Blob([b.bytes as Uint8Array<ArrayBuffer>]), b.cid)
    }
    const res = await fetch(kubo.url('block/put', { 'cid-codec': 'raw', mhtype: 'sha2-256', pin: 'false' }), { method: 'POST', body: form })
    const text = await res.text()
    if (!res.ok) throw new Error(`block/put: ${res.status} ${text}`)
    done += batch
  }
  return cids
}
