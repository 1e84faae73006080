import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { KvStore, encodeCommand } from '../examples/kv-store.ts'
import { MemoryNetwork } from '../src/memory-transport.ts'
import { RaftNode, type WritableStorage } from '../src/node.ts'
import { SqliteStorage } from '../src/sqlite-storage.ts'
import { MemoryStorage } from '../src/storage.ts'
import { ProposalDroppedError } from '../src/errors.ts'
import { message } from '../src/messages.ts'

interface Member { node: RaftNode<string | undefined>, kv: KvStore, storage: WritableStorage }

const running: Array<RaftNode<string | undefined>> = []
const dirs: string[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map(async n => await n.stop()))
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function member (net: MemoryNetwork, id: string, opts: { bootstrap?: string[], storage?: WritableStorage, snapshotEvery?: number } = {}): Member {
  const kv = new KvStore()
  const storage = opts.storage ?? new MemoryStorage()
  const node = new RaftNode(id, {
    storage, transport: net.transport(id), stateMachine: kv, bootstrap: opts.bootstrap,
    tickMs: 10, electionTicks: 10, heartbeatTicks: 1, snapshotEvery: opts.snapshotEvery ?? 10_000, keepAfterSnapshot: 5, requestTimeoutMs: 20_000,
    onFatal: err => { console.error(`${id} stopped:`, err) }
  })
  node.start()
  running.push(node)
  return { node, kv, storage }
}

async function until (cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

async function leaderOf (members: Member[]): Promise<Member> {
  await until(() => members.some(m => m.node.isLeader), 'a leader')
  return members.find(m => m.node.isLeader) as Member
}

/** Proposes through whichever member leads now, retrying while leadership moves. */
async function put (members: Member[], key: string, value: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const leader = await leaderOf(members)
    try {
      await leader.node.propose(encodeCommand({ op: 'put', key, value }))
      return
    } catch (err) {
      if (!(err instanceof ProposalDroppedError) || attempt > 50) throw err
      await new Promise(resolve => setTimeout(resolve, 20))
    }
  }
}

describe('RaftNode (driver) over the in-memory network', () => {
  const ids = ['n1', 'n2', 'n3']

  it('elects a leader, replicates proposals to every member, and answers the proposer with the result', async () => {
    const net = new MemoryNetwork()
    const members = ids.map(id => member(net, id, { bootstrap: ids }))
    const leader = await leaderOf(members)
    expect(await leader.node.propose(encodeCommand({ op: 'put', key: 'a', value: '1' }))).toBeUndefined()
    expect(await leader.node.propose(encodeCommand({ op: 'put', key: 'a', value: '2' }))).toBe('1')
    await until(() => members.every(m => m.kv.data.get('a') === '2'), 'replication to all')
  })

  it('forwards a follower\'s proposal to the leader, and serves linearizable reads on followers', async () => {
    const net = new MemoryNetwork()
    const members = ids.map(id => member(net, id, { bootstrap: ids }))
    const leader = await leaderOf(members)
    const follower = members.find(m => m !== leader) as Member
    await follower.node.propose(encodeCommand({ op: 'put', key: 'k', value: 'from follower' }))
    expect(leader.kv.data.get('k')).toBe('from follower')
    await leader.node.propose(encodeCommand({ op: 'put', key: 'k', value: 'newer' }))
    await follower.node.readBarrier()
    expect(follower.kv.data.get('k')).toBe('newer')
  })

  it('keeps working when the leader is cut off, and the old leader catches up when it returns', async () => {
    const net = new MemoryNetwork()
    const members = ids.map(id => member(net, id, { bootstrap: ids }))
    const first = await leaderOf(members)
    await put(members, 'x', 'before')
    net.isolate(first.node.id)
    const rest = members.filter(m => m !== first)
    await until(() => rest.some(m => m.node.isLeader), 'a new leader among the majority')
    await put(rest, 'x', 'after')
    net.heal()
    await until(() => first.kv.data.get('x') === 'after' && !first.node.isLeader, 'the old leader to catch up')
  })

  it('adds a member that catches up from a snapshot after compaction, then removes one', async () => {
    const net = new MemoryNetwork()
    const members = ids.map(id => member(net, id, { bootstrap: ids, snapshotEvery: 20 }))
    for (let i = 0; i < 60; i++) await put(members, `key${i}`, String(i))
    const leader = await leaderOf(members)
    expect(leader.storage.firstIndex()).toBeGreaterThan(1)

    const joiner = member(net, 'n4', { snapshotEvery: 20 })
    await leader.node.addVoter('n4')
    await until(() => joiner.kv.data.size === 60, 'the new member to receive the state')
    expect(joiner.kv.data.get('key59')).toBe('59')

    const all = [...members, joiner]
    await put(all, 'after-join', 'yes')
    await until(() => joiner.kv.data.get('after-join') === 'yes', 'the new member to follow')
    const victim = members.find(m => !m.node.isLeader) as Member
    await (await leaderOf(all)).node.removeMember(victim.node.id)
    expect((await leaderOf(all)).node.status().confState.voters.sort()).toEqual(['n1', 'n2', 'n3', 'n4'].filter(id => id !== victim.node.id).sort())
  })

  it('restarts from SQLite storage with its state and log intact', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'raft-node-'))
    dirs.push(dir)
    const net = new MemoryNetwork()
    const storages = ids.map(id => new SqliteStorage(join(dir, `${id}.db`), { synchronous: 'normal' }))
    const members = ids.map((id, i) => member(net, id, { bootstrap: ids, storage: storages[i], snapshotEvery: 15 }))
    for (let i = 0; i < 30; i++) await put(members, `k${i}`, String(i))
    const n3 = members[2] as Member
    await until(() => n3.kv.data.size === 30, 'n3 to apply everything')
    await n3.node.stop()
    storages[2]?.close()

    const reopened = new SqliteStorage(join(dir, 'n3.db'), { synchronous: 'normal' })
    const restarted = member(net, 'n3', { bootstrap: ids, storage: reopened, snapshotEvery: 15 })
    expect(restarted.kv.data.size).toBeGreaterThan(0)
    // The restarted node is a full member again: under load it may well be the one that leads.
    await put([...members.slice(0, 2), restarted], 'late', 'entry')
    await until(() => restarted.kv.data.size === 31 && restarted.kv.data.get('late') === 'entry', 'n3 to recover and catch up')
    await Promise.all(running.splice(0).map(async n => await n.stop()))
    for (const s of [...storages.slice(0, 2), reopened]) s?.close()
  })
})

describe('RaftNode under hostile traffic', () => {
  it('refuses strangers and impossible acknowledgements, keeps committing, and stays consistent', async () => {
    const ids = ['n1', 'n2', 'n3']
    const net = new MemoryNetwork()
    const rejected: string[] = []
    const fatal: Error[] = []
    const members = ids.map(id => {
      const kv = new KvStore()
      const storage = new MemoryStorage()
      const node = new RaftNode(id, {
        storage, transport: net.transport(id), stateMachine: kv, bootstrap: ids, tickMs: 10, requestTimeoutMs: 20_000,
        onRejectedMessage: err => rejected.push(err.name), onFatal: err => fatal.push(err)
      })
      node.start()
      running.push(node)
      return { node, kv, storage }
    })
    const mallory = net.transport('mallory')
    const types = ['app', 'appResp', 'vote', 'voteResp', 'preVote', 'preVoteResp', 'snap', 'heartbeat', 'heartbeatResp', 'timeoutNow', 'readIndex', 'readIndexResp', 'transferLeader'] as const
    let seed = 7
    const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n }

    for (let round = 0; round < 30; round++) {
      const junk = []
      for (let i = 0; i < 20; i++) {
        const to = ids[rand(3)] as string
        const type = types[rand(types.length)] as typeof types[number]
        // As itself: anything at all. Posing as a member: only acknowledgements of impossible indexes.
        junk.push(rand(2) === 0
          ? message({ type, from: 'mallory', to, term: rand(1000), index: rand(1e6), commit: rand(1e6), logTerm: rand(100) })
          : message({ type: rand(2) === 0 ? 'appResp' : 'heartbeatResp', from: ids[rand(3)] as string, to, term: 1, index: 1_000_000 + rand(1e6) }))
      }
      mallory.send(junk)
      await put(members, `k${round}`, String(round))
    }
    await until(() => members.every(m => m.kv.data.size === 30), 'every member to apply all writes')
    for (const m of members) expect([...m.kv.data]).toEqual([...(members[0] as Member).kv.data])
    expect(fatal).toEqual([])
    expect(rejected.length).toBeGreaterThan(0)
    expect(new Set(rejected)).toEqual(new Set(['ForeignMessageError']))
  })
})

describe('RaftNode when a member lost its log', () => {
  it('a follower back with an empty log (and no configuration) gets the log again from the leader', async () => {
    const ids = ['n1', 'n2', 'n3']
    const net = new MemoryNetwork()
    const members = ids.map(id => member(net, id, { bootstrap: ids }))
    for (let i = 0; i < 30; i++) await put(members, `k${i}`, String(i))
    const leader = await leaderOf(members)
    const victim = members.find(m => m !== leader) as Member
    await until(() => victim.kv.data.size === 30, 'the victim to apply everything')
    await victim.node.stop()
    // Back with nothing: no log, no hard state, no configuration (it must not found a group).
    const back = member(net, victim.node.id, {})
    await put([leader], 'after', 'loss')
    await until(() => back.kv.data.size === 31 && back.kv.data.get('k29') === '29', 'the member to get the whole log again')
  })
})
