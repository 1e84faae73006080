import { describe, expect, it } from 'vitest'
import type { CID } from '@cluster/api'
import { Cid1, harness, makePin } from './helpers.ts'

/** Makes `pinLsCid` hang like a stopped Kubo: it only ends when the caller's signal aborts. */
function hangPinLs (h: ReturnType<typeof harness>): Array<AbortSignal | undefined> {
  const seen: Array<AbortSignal | undefined> = []
  h.ipfs.pinLsCid = async (_cid: CID, _mode: 'recursive' | 'direct', o?: { signal?: AbortSignal }) => {
    seen.push(o?.signal)
    return await new Promise((_resolve, reject) => {
      o?.signal?.addEventListener('abort', () => { reject(new Error(`IPFS request aborted: ${String(o.signal?.reason)}`)) }, { once: true })
    })
  }
  return seen
}

describe('status and recover with a signal (a status must not wait for a hung IPFS)', () => {
  it('status(cid, { signal }) hands the signal to pinLsCid and answers cluster_error with the error once it aborts', async () => {
    const h = harness([makePin(Cid1)])
    const seen = hangPinLs(h)
    const started = Date.now()
    const info = await h.tracker.status(Cid1, { signal: AbortSignal.timeout(100) })
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(seen).toHaveLength(1)
    expect(seen[0]).toBeInstanceOf(AbortSignal)
    expect(info.status).toBe('cluster_error')
    expect(info.error).toMatch(/IPFS request aborted/)
    expect(info.name).toBe('')
    await h.tracker.close()
  })

  it('recover(cid, { signal }) is bounded the same way and queues nothing for a cluster_error', async () => {
    const h = harness([makePin(Cid1)])
    hangPinLs(h)
    const info = await h.tracker.recover(Cid1, { signal: AbortSignal.timeout(100) })
    expect(info.status).toBe('cluster_error')
    expect(h.tracker.operations.size).toBe(0)
    await h.tracker.close()
  })
})
