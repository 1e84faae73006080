import { afterEach, describe, expect, it } from 'vitest'
import { KvStore, encodeCommand } from '../examples/kv-store.ts'
import { MemoryNetwork } from '../src/memory-transport.ts'
import { RaftNode, type PersistUpdate, type WritableStorage } from '../src/node.ts'
import { MemoryStorage } from '../src/storage.ts'
import { SyncPersistPolicy } from '../src/sync-persist.ts'

const running: Array<RaftNode<string | undefined>> = []
afterEach(async () => { await Promise.all(running.splice(0).map(async n => await n.stop())) })

/** Records which write each Ready went through, and how many entries it carried. */
class RecordingStorage extends MemoryStorage implements WritableStorage {
  readonly writes: Array<{ via: 'persist' | 'persistAsync', entries: number }> = []
  /** Milliseconds each sync write takes (a slow disk). */
  syncWriteMs = 0

  persist (update: PersistUpdate): void {
    const until = performance.now() + this.syncWriteMs
    while (performance.now() < until) { /* the disk is slow */ }
    this.write('persist', update)
  }

  async persistAsync (update: PersistUpdate): Promise<void> {
    this.write('persistAsync', update)
  }

  private write (via: 'persist' | 'persistAsync', update: PersistUpdate): void {
    if (update.entries !== undefined && update.entries.length > 0) this.append(update.entries)
    if (update.hardState !== undefined) this.setHardState(update.hardState)
    if ((update.entries?.length ?? 0) > 0) this.writes.push({ via, entries: update.entries?.length ?? 0 })
  }
}

async function soleNode (storage: RecordingStorage, syncPersistMaxEntries?: number): Promise<RaftNode<string | undefined>> {
  const node = new RaftNode('a', {
    storage, transport: new MemoryNetwork().transport('a'), stateMachine: new KvStore(), bootstrap: ['a'],
    tickMs: 10, electionTicks: 10, heartbeatTicks: 1, ...(syncPersistMaxEntries === undefined ? {} : { syncPersistMaxEntries })
  })
  node.start()
  running.push(node)
  const deadline = Date.now() + 10_000
  while (!node.isLeader && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 5))
  // Past the leader's first (empty) entry.
  await node.propose(encodeCommand({ op: 'put', key: 'warm-up', value: 'v' }))
  storage.writes.length = 0
  return node
}

const put = (key: string): Uint8Array => encodeCommand({ op: 'put', key, value: 'v' })

describe('writes of small Readys on the event loop', () => {
  it('writes one entry with persist and several proposed together with persistAsync', async () => {
    const storage = new RecordingStorage()
    const node = await soleNode(storage, 1)
    await node.propose(put('one'))
    await Promise.all(['x', 'y', 'z'].map(async k => await node.propose(put(k))))
    expect(storage.writes).toEqual([{ via: 'persist', entries: 1 }, { via: 'persistAsync', entries: 3 }])
  })

  it('always uses persistAsync by default', async () => {
    const storage = new RecordingStorage()
    const node = await soleNode(storage)
    await node.propose(put('one'))
    expect(storage.writes).toEqual([{ via: 'persistAsync', entries: 1 }])
  })

  it('stops blocking the loop once a sync write is slow', async () => {
    const storage = new RecordingStorage()
    const node = await soleNode(storage, 1)
    storage.syncWriteMs = 5
    await node.propose(put('slow'))
    storage.syncWriteMs = 0
    await node.propose(put('after'))
    expect(storage.writes).toEqual([{ via: 'persist', entries: 1 }, { via: 'persistAsync', entries: 1 }])
  })
})

describe('SyncPersistPolicy', () => {
  it('pauses sync writes after a slow one, twice as long each time, until one is quick', () => {
    let now = 0
    const policy = new SyncPersistPolicy(2, () => now)
    expect(policy.choose(2, false)).toBe(true)
    expect(policy.choose(3, false)).toBe(false)
    expect(policy.choose(1, true)).toBe(false)
    const write = (ms: number): void => { policy.timed(() => { now += ms }) }
    write(5) // slow: paused for 1 s
    expect(policy.choose(1, false)).toBe(false)
    now += 1000
    expect(policy.choose(1, false)).toBe(true)
    write(5) // slow again: 2 s
    now += 1999
    expect(policy.choose(1, false)).toBe(false)
    now += 1
    write(0.3) // quick: the next slow one pauses for 1 s again
    write(5)
    now += 1000
    expect(policy.choose(1, false)).toBe(true)
    expect(new SyncPersistPolicy(0, () => now).choose(0, false)).toBe(false)
  })
})
