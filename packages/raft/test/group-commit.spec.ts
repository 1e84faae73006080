import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { KvStore, encodeCommand } from '../examples/kv-store.ts'
import { MemoryNetwork } from '../src/memory-transport.ts'
import type { Message } from '../src/messages.ts'
import { RaftNode, type PersistUpdate, type WritableStorage } from '../src/node.ts'
import { SqliteStorage } from '../src/sqlite-storage.ts'
import { MemoryStorage } from '../src/storage.ts'
import type { RaftTransport } from '../src/transport.ts'
import { NodeStalledError, NodeStoppedError } from '../src/transport-errors.ts'

const running: Array<RaftNode<string | undefined>> = []
const dirs: string[] = []
const sqlite: SqliteStorage[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map(async n => await n.stop()))
  for (const s of sqlite.splice(0)) s.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/**
 * A MemoryStorage whose asynchronous writes become "durable" only when the test says so (or fail
 * when it says so), standing in for a slow or broken disk.
 */
class GatedStorage extends MemoryStorage implements WritableStorage {
  held = false
  failWith: Error | undefined
  /** Every write handed to persistAsync, in order. */
  readonly writes: PersistUpdate[] = []
  private waiting: Array<() => void> = []

  async persistAsync (update: PersistUpdate): Promise<void> {
    if (this.failWith !== undefined) throw this.failWith
    if (update.snapshot !== undefined) this.applySnapshot(update.snapshot)
    if (update.entries !== undefined && update.entries.length > 0) this.append(update.entries)
    if (update.hardState !== undefined) this.setHardState(update.hardState)
    this.writes.push(update)
    if (this.held) await new Promise<void>(resolve => { this.waiting.push(resolve) })
  }

  release (): void {
    this.held = false
    for (const resolve of this.waiting.splice(0)) resolve()
  }
}

/** Records what a node sends (to check when acknowledgements leave). */
function recording (t: RaftTransport, sent: Message[]): RaftTransport {
  const send = t.send.bind(t)
  t.send = (messages) => { sent.push(...messages); send(messages) }
  return t
}

/** A KvStore that records the index of every apply (a retried Ready must not apply twice). */
class OrderedKv extends KvStore {
  readonly order: number[] = []
  override apply (payload: Uint8Array, index: number): string | undefined {
    this.order.push(index)
    return super.apply(payload)
  }
}

/**
 * An OrderedKv whose groups are transactions (as the pinset's SQLite ones): a group that fails
 * (the next `failGroups` ones, with a full disk) leaves no trace.
 */
class TransactionalKv extends OrderedKv {
  failGroups = 0
  applyGroup (applyAll: () => void): void {
    const data = new Map(this.data)
    const applied = this.order.length
    applyAll()
    if (this.failGroups === 0) return
    this.failGroups--
    this.data.clear()
    for (const [k, v] of data) this.data.set(k, v)
    this.order.length = applied
    throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })
  }
}

interface NodeExtras {
  kv?: OrderedKv
  sent?: Message[]
  onFatal?: (err: Error) => void
  retryFailedWrite?: (err: Error) => boolean
  onStall?: (err: Error | undefined) => void
}

function node (net: MemoryNetwork, id: string, storage: WritableStorage, ids: string[], extra: NodeExtras = {}): { node: RaftNode<string | undefined>, kv: OrderedKv } {
  const kv = extra.kv ?? new OrderedKv()
  const transport = extra.sent === undefined ? net.transport(id) : recording(net.transport(id), extra.sent)
  const n = new RaftNode(id, {
    storage, transport, stateMachine: kv, bootstrap: ids,
    // A 1 s election timeout: on a loaded machine a shorter one lets a stalled event loop start
    // elections, and a leader change in the middle fails the proposals these tests count.
    tickMs: 10, electionTicks: 100, heartbeatTicks: 1, requestTimeoutMs: 20_000,
    onFatal: extra.onFatal ?? (err => { console.error(`${id} stopped:`, err) }),
    ...(extra.retryFailedWrite === undefined ? {} : { retryFailedWrite: extra.retryFailedWrite, stallRetryMs: 50 }),
    ...(extra.onStall === undefined ? {} : { onStall: extra.onStall })
  })
  n.start()
  running.push(n)
  return { node: n, kv }
}

async function until (cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`)
    await new Promise(resolve => setTimeout(resolve, 5))
  }
}

const put = (key: string): Uint8Array => encodeCommand({ op: 'put', key, value: 'v' })

describe('group commit of the Raft log', () => {
  it('concurrent proposals on a 3-node SQLite group share log fsyncs and all commit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'raft-group-commit-'))
    dirs.push(dir)
    const ids = ['a', 'b', 'c']
    const net = new MemoryNetwork()
    const storages = ids.map(id => new SqliteStorage(join(dir, `${id}.db`)))
    sqlite.push(...storages)
    const members = ids.map((id, i) => node(net, id, storages[i] as SqliteStorage, ids))
    await until(() => members.some(m => m.node.isLeader), 'a leader')
    const leader = members.find(m => m.node.isLeader) as { node: RaftNode<string | undefined> }
    const fsyncsBefore = storages.map(s => s.stats.fsyncs)

    const proposers = 64
    const each = 8
    await Promise.all(Array.from({ length: proposers }, async (_, p) => {
      for (let i = 0; i < each; i++) await leader.node.propose(put(`p${p}-${i}`))
    }))
    const target = leader.node.appliedIndex
    await until(() => members.every(m => m.node.appliedIndex >= target), 'every node applied everything')

    for (const m of members) expect(m.kv.data.size).toBe(proposers * each)
    // Sequential proposals would cost one fsync each on every node; batched they cost far fewer.
    for (const [i, s] of storages.entries()) expect(s.stats.fsyncs - (fsyncsBefore[i] as number)).toBeLessThan(proposers * each / 4)
  })

  it('a follower answers an append only once its write is durable, and a proposal commits only on durable quorum', async () => {
    const ids = ['a', 'b', 'c']
    const net = new MemoryNetwork()
    const storages = ids.map(() => new GatedStorage())
    const sent = ids.map((): Message[] => [])
    const members = ids.map((id, i) => node(net, id, storages[i] as GatedStorage, ids, { sent: sent[i] }))
    await until(() => members.some(m => m.node.isLeader), 'a leader')
    const leaderAt = members.findIndex(m => m.node.isLeader)
    const followers = [0, 1, 2].filter(i => i !== leaderAt)
    const leader = (members[leaderAt] as { node: RaftNode }).node
    // Hold the followers' disks only once they have the leader's whole log durably and know its
    // commit: a write still on its way (the new leader's first entry, a commit index) would
    // otherwise be the one held, and the follower would never reach the entry under test.
    await until(() => followers.every(f => {
      const follower = (members[f] as { node: RaftNode }).node
      const last = leader.status().lastIndex
      return leader.status().progress.get(follower.id)?.match === last && follower.status().hardState.commit >= last
    }), 'the followers caught up durably')
    for (const f of followers) (storages[f] as GatedStorage).held = true

    const index = leader.status().lastIndex + 1
    let resolved = false
    const proposal = (members[leaderAt] as { node: RaftNode<string | undefined> }).node.propose(put('k')).then(() => { resolved = true })
    proposal.catch(() => {}) // awaited below; a failure before that must fail the test, not the run
    const wroteIt = (s: GatedStorage): boolean => s.writes.some(w => w.entries?.some(e => e.index === index) === true)
    await until(() => followers.every(f => wroteIt(storages[f] as GatedStorage)), 'both followers write the entry')
    // Give the event loop many turns: nothing may acknowledge the entry while no follower's write is durable.
    for (let i = 0; i < 50; i++) await new Promise(resolve => setImmediate(resolve))
    const acks = (f: number): Message[] => (sent[f] as Message[]).filter(m => m.type === 'appResp' && !m.reject && m.index >= index)
    for (const f of followers) expect(acks(f)).toEqual([])
    expect(resolved).toBe(false)

    const first = followers[0] as number
    ;(storages[first] as GatedStorage).release()
    await proposal
    expect(acks(first).length).toBeGreaterThan(0)
    expect(acks(followers[1] as number)).toEqual([])
    ;(storages[followers[1] as number] as GatedStorage).release()
  })

  it('entries committed together reach a state machine with applyGroup in one group, in log order, and every proposer gets its result', async () => {
    /** A KvStore that records the index of each apply and the groups they came in. */
    class GroupedKv extends KvStore {
      readonly groups: number[][] = []
      private current: number[] | undefined
      readonly order: number[] = []
      override apply (payload: Uint8Array, index: number): string | undefined {
        this.order.push(index)
        this.current?.push(index)
        return super.apply(payload)
      }

      applyGroup (applyAll: () => void): void {
        this.current = []
        applyAll()
        this.groups.push(this.current)
        this.current = undefined
      }
    }
    const net = new MemoryNetwork()
    const storage = new GatedStorage()
    const kv = new GroupedKv()
    const n = new RaftNode('solo', {
      storage, transport: net.transport('solo'), stateMachine: kv, bootstrap: ['solo'],
      tickMs: 10, electionTicks: 100, heartbeatTicks: 1, requestTimeoutMs: 20_000
    })
    n.start()
    running.push(n)
    await until(() => n.isLeader, 'the single node leads')
    await n.propose(put('first'))
    // Held disk: the next proposals pile up and commit together once it is released.
    storage.held = true
    const results = Array.from({ length: 20 }, async (_, i) => await n.propose(encodeCommand({ op: 'put', key: i < 10 ? `k${i}` : `k${i - 10}`, value: `v${i}` })))
    await until(() => storage.writes.some(w => (w.entries?.length ?? 0) > 1), 'a write of several entries')
    storage.release()
    const values = await Promise.all(results)
    // Each proposer gets what its own entry returned: the second put of a key sees the first value.
    expect(values).toEqual([...Array(10).fill(undefined), ...Array.from({ length: 10 }, (_, i) => `v${i}`)])
    const grouped = kv.groups.filter(g => g.length > 1)
    expect(grouped.length).toBeGreaterThan(0)
    for (const g of kv.groups) expect(g).toEqual([...g].sort((a, b) => a - b))
    // Every apply went through in log order, each index once.
    expect(kv.order).toEqual([...kv.order].sort((a, b) => a - b))
    expect(new Set(kv.order).size).toBe(kv.order.length)
  })

  it('a failed log write stops the node through onFatal and acknowledges nothing', async () => {
    const net = new MemoryNetwork()
    const storage = new GatedStorage()
    const fatal: Error[] = []
    const { node: n, kv } = node(net, 'solo', storage, ['solo'], { onFatal: err => { fatal.push(err) } })
    await until(() => n.isLeader, 'the single node leads')
    await n.propose(put('before'))

    const diskError = new Error('EIO: disk on fire')
    storage.failWith = diskError
    await expect(n.propose(put('after'))).rejects.toBeInstanceOf(NodeStoppedError)
    expect(fatal).toEqual([diskError])
    expect([...kv.data.keys()]).toEqual(['before'])
  })

  it('with retryFailedWrite, a failed log write stalls the node until the disk takes writes again; nothing is lost or applied twice', async () => {
    const net = new MemoryNetwork()
    const storage = new GatedStorage()
    const stalls: Array<string | undefined> = []
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })
    const { node: n, kv } = node(net, 'solo', storage, ['solo'], {
      onFatal: err => { throw err },
      retryFailedWrite: err => (err as { code?: string }).code === 'SQLITE_FULL',
      onStall: err => { stalls.push(err?.message) }
    })
    await until(() => n.isLeader, 'the single node leads')
    await n.propose(put('before'))

    storage.failWith = full
    const during = n.propose(put('during'))
    // Its caller hears of the stall at once; the entry still commits once the disk takes it.
    await expect(during).rejects.toBeInstanceOf(NodeStalledError)
    expect(stalls).toEqual(['database or disk is full'])
    // Stalled: new proposals are refused at once, with the disk's error.
    await expect(n.propose(put('refused'))).rejects.toBeInstanceOf(NodeStalledError)
    await expect(n.propose(put('refused'))).rejects.toThrow(/database or disk is full/)
    await new Promise(resolve => setTimeout(resolve, 200)) // a few failed retries
    expect([...kv.data.keys()]).toEqual(['before'])

    storage.failWith = undefined
    await until(() => stalls.length === 2, 'the node says it writes again')
    expect(stalls).toEqual(['database or disk is full', undefined])
    await n.propose(put('after'))
    expect([...kv.data.keys()].sort()).toEqual(['after', 'before', 'during'])
    expect(new Set(kv.order).size).toBe(kv.order.length)
    expect(n.isLeader).toBe(true)
  })

  it('with retryFailedWrite, a group the state machine fails to apply is applied again whole once it can', async () => {
    const net = new MemoryNetwork()
    const kv = new TransactionalKv()
    const stalls: Array<string | undefined> = []
    const { node: n } = node(net, 'solo', new GatedStorage(), ['solo'], {
      kv,
      onFatal: err => { throw err },
      retryFailedWrite: err => (err as { code?: string }).code === 'SQLITE_FULL',
      onStall: err => { stalls.push(err?.message) }
    })
    await until(() => n.isLeader, 'the single node leads')
    await n.propose(put('before'))
    kv.failGroups = 3
    // Proposed in one turn: one Ready, committed and applied as one group. They are committed
    // (in the durable log) before the apply fails: their callers have their answer, and the
    // apply is done again until it goes through.
    const results = await Promise.all(['g1', 'g2', 'g3'].map(async k => await n.propose(put(k))))
    expect(results).toEqual([undefined, undefined, undefined])
    await until(() => stalls.length === 2, 'the node says it writes again')
    expect(stalls).toEqual(['database or disk is full', undefined])
    expect([...kv.data.keys()].sort()).toEqual(['before', 'g1', 'g2', 'g3'])
    expect(kv.order).toEqual([...new Set(kv.order)].sort((a, b) => a - b))
  })

  it('a follower that stalls on its disk catches up once it writes again, and the others go on meanwhile', async () => {
    const net = new MemoryNetwork()
    const ids = ['a', 'b', 'c']
    const storages = ids.map(() => new GatedStorage())
    const nodes = ids.map((id, i) => node(net, id, storages[i] as GatedStorage, ids, {
      onFatal: err => { throw err },
      retryFailedWrite: err => (err as { code?: string }).code === 'SQLITE_FULL'
    }))
    await until(() => nodes.some(x => x.node.isLeader), 'a leader')
    const leader = nodes.find(x => x.node.isLeader) as (typeof nodes)[number]
    const follower = nodes.find(x => !x.node.isLeader) as (typeof nodes)[number]
    const followerStorage = storages[nodes.indexOf(follower)] as GatedStorage
    await leader.node.propose(put('k0'))
    followerStorage.failWith = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })
    for (let i = 1; i <= 5; i++) await leader.node.propose(put(`k${i}`))
    expect(follower.kv.data.has('k5')).toBe(false)
    followerStorage.failWith = undefined
    await until(() => follower.kv.data.has('k5'), 'the follower catches up')
    expect([...follower.kv.data.keys()].sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5'])
    expect(new Set(follower.kv.order).size).toBe(follower.kv.order.length)
  })
})
