/** Received merges wait mergeCommitDelayMs for company and share one store commit; local writes commit at once. */
import { describe, expect, it } from 'vitest'
import { Replica, SqliteStore } from '../src/index.ts'
import { BlockNet } from './helpers.ts'

/** A store counting its group commits. */
class CountingStore extends SqliteStore {
  commits = 0
  override commit (): void {
    this.commits++
    super.commit()
  }
}

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

describe('merge commits', () => {
  it('merges received within the delay share one commit; their hooks fire once it is done', async () => {
    const net = new BlockNet()
    const payloads: Uint8Array[] = []
    const writer = new Replica({ store: new SqliteStore(':memory:'), blocks: net.access(), broadcast: (p) => { payloads.push(p) } })
    for (let i = 0; i < 5; i++) await writer.put(`/K${i}`, new Uint8Array([i + 1]))
    expect(payloads).toHaveLength(5)

    const store = new CountingStore(':memory:')
    const puts: string[] = []
    const reader = new Replica({ store, blocks: net.access(), mergeCommitDelayMs: 200, onPut: (key) => { puts.push(key) } })
    for (const p of payloads) await reader.receive(p)
    // All five merged (the connection reads its own open transaction), none committed yet.
    expect(reader.get('/K4')).toEqual(new Uint8Array([5]))
    expect(store.commits).toBe(0)
    expect(puts).toEqual([])
    await sleep(300)
    expect(store.commits).toBe(1)
    expect(puts).toEqual(['/K0', '/K1', '/K2', '/K3', '/K4'])

    // A local write commits at once, taking waiting merges along.
    const more: Uint8Array[] = []
    const writer2 = new Replica({ store: new SqliteStore(':memory:'), blocks: net.access(), broadcast: (p) => { more.push(p) } })
    await writer2.put('/L', new Uint8Array([7]))
    await reader.receive(more[0]!)
    expect(store.commits).toBe(1)
    await reader.put('/mine', new Uint8Array([1]))
    expect(store.commits).toBe(2)
    expect(puts.slice(-2).sort()).toEqual(['/L', '/mine'])
    await reader.close()
    await writer.close()
    await writer2.close()
  })

  it('with mergeCommitDelayMs 0, each event-loop turn commits', async () => {
    const net = new BlockNet()
    const payloads: Uint8Array[] = []
    const writer = new Replica({ store: new SqliteStore(':memory:'), blocks: net.access(), broadcast: (p) => { payloads.push(p) } })
    for (let i = 0; i < 3; i++) await writer.put(`/K${i}`, new Uint8Array([i + 1]))
    const store = new CountingStore(':memory:')
    const reader = new Replica({ store, blocks: net.access(), mergeCommitDelayMs: 0 })
    for (const p of payloads) {
      await reader.receive(p)
      await new Promise((resolve) => { setImmediate(resolve) })
    }
    expect(store.commits).toBe(3)
    await reader.close()
    await writer.close()
  })
})
