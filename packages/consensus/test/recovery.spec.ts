import { cpSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync, writeSync, closeSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir, track, until } from './helpers.ts'
import { defaultPinOptions, Timestamp, type Pin } from '@cluster/api'
import { MemoryNetwork, type RaftTransport } from '@cluster/raft/node'
import { syntheticCid } from '@cluster/test-utils'
import { openCommittedPinset, RaftConsensus, UNSYNCED_MARKER } from '@cluster/consensus'

const P1 = '12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR'
const P2 = '12D3KooWJ7JLjFub4u2vrx8asEMz5gnbA2U5199GcXMfWaStDbAV'
const P3 = '12D3KooWJVyhPXhspHCmP1qkstWB5HJ19j3REsBmBBpUEUEaiqzM'
const ids = [P1, P2, P3]

function pin (i: number): Pin {
  return {
    ...defaultPinOptions(), name: `pin-${i}`, replicationFactorMin: -1, replicationFactorMax: -1,
    cid: syntheticCid(i), type: 'pin', allocations: [], maxDepth: -1, reference: undefined, timestamp: Timestamp.fromDate(new Date())
  }
}

interface Started { consensus: RaftConsensus, logs: string[] }

function peer (transport: RaftTransport, dir: string, id: string, config: { snapshotThreshold?: number, trailingLogs?: number, initPeerset?: string[] } = {}, bootId?: () => string): Started {
  const logs: string[] = []
  const consensus = new RaftConsensus({
    id, dataDir: join(dir, id), transport, ...(bootId === undefined ? {} : { dataFolder: { bootId } }),
    config: { heartbeatTimeoutMs: 100, waitForLeaderTimeoutMs: 10_000, commitRetries: 3, commitRetryDelayMs: 20, initPeerset: ids, ...config },
    log: (level, message) => logs.push(`${level} ${message}`),
    onFatal: err => { logs.push(`fatal ${err.stack ?? err.message}`); console.error('FATAL', id, err) }
  })
  track(consensus)
  return { consensus, logs }
}

/** Commits pins [from, to) through `c`, 100 at a time. */
async function pinRange (c: RaftConsensus, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, to - i) }, async (_, k) => { await c.logPin(pin(i + k)) }))
  }
}

async function leaderOf (peers: RaftConsensus[]): Promise<RaftConsensus> {
  await until(() => peers.some(p => p.isLeader()), 'a leader')
  return peers.find(p => p.isLeader()) as RaftConsensus
}

/** A transport whose snapshot file reads break after `bytes` on the first `times` transfers. */
function breakingTransfers (inner: RaftTransport, bytes: number, times: number): RaftTransport & { broken: number } {
  const t: RaftTransport & { broken: number } = {
    localId: inner.localId,
    broken: 0,
    send: m => { inner.send(m) },
    onMessage: h => { inner.onMessage(h) },
    onUnreachable: h => { inner.onUnreachable(h) },
    serveSnapshotFiles: r => { inner.serveSnapshotFiles?.(r) },
    close: async () => { await inner.close() }
  }
  t.readSnapshotFile = async function * (peer, name, offset) {
    let sent = 0
    for await (const chunk of inner.readSnapshotFile!(peer, name, offset)) {
      if (t.broken < times && sent + chunk.byteLength > bytes) { t.broken++; throw new Error('connection reset by the test') }
      sent += chunk.byteLength
      yield chunk
    }
  }
  return t
}

describe('a peer that was away while the log was compacted', () => {
  it('receives the state as a snapshot file in chunks, resumes a broken transfer, and says so in its log', async () => {
    const dir = tempDir()
    const net = new MemoryNetwork()
    const small = { snapshotThreshold: 200, trailingLogs: 20 }
    const peers = ids.map(id => peer(net.transport(id), dir, id, small))
    const all = peers.map(p => p.consensus)
    const leader = await leaderOf(all)
    await pinRange(leader, 0, 100)
    const away = peers.find(p => p.consensus !== leader && !p.consensus.isLeader()) as Started
    const awayId = away.consensus.id
    await until(() => away.consensus.state.count() === 100, 'the follower to have the first pins')
    await away.consensus.shutdown()

    const rest = all.filter(c => c !== away.consensus)
    await pinRange(await leaderOf(rest), 100, 3000)
    const snapshotsDir = join(dir, (await leaderOf(rest)).id, 'snapshots')
    await until(() => readdirSync(snapshotsDir).some(f => f.startsWith('snapshot-')), 'a snapshot file on the leader')

    const transport = breakingTransfers(net.transport(awayId), 200_000, 2)
    const back = peer(transport, dir, awayId, small)
    await until(() => back.consensus.state.count() === 3000, 'the returning peer to catch up', 60_000)
    expect(transport.broken).toBe(2)
    expect(back.logs.some(l => /receiving the state \(raft snapshot at index \d+\)/.test(l))).toBe(true)
    expect(back.logs.some(l => /failed \(resumes on the next attempt\)/.test(l))).toBe(true)
    expect(back.logs.some(l => /installed raft snapshot \d+/.test(l))).toBe(true)
    // It follows the log from there on.
    await pinRange(await leaderOf([...rest, back.consensus]), 3000, 3010)
    await until(() => back.consensus.state.count() === 3010, 'the returning peer to follow')
  })
})

describe('damaged data files', () => {
  it('rebuilds a damaged pinset from the Raft snapshot and log instead of serving it', async () => {
    const dir = tempDir()
    const net = new MemoryNetwork()
    const small = { snapshotThreshold: 100, trailingLogs: 10 }
    const peers = ids.map(id => peer(net.transport(id), dir, id, small).consensus)
    await pinRange(await leaderOf(peers), 0, 700)
    const victim = peers.find(p => !p.isLeader()) as RaftConsensus
    await until(() => victim.state.count() === 700, 'the victim to apply everything')
    await until(() => existsSync(join(dir, victim.id, 'snapshots')) && readdirSync(join(dir, victim.id, 'snapshots')).some(f => f.startsWith('snapshot-')), 'a snapshot on the victim')
    await victim.shutdown()

    const file = join(dir, victim.id, 'pinset.sqlite')
    const fd = openSync(file, 'r+')
    writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 8192)
    closeSync(fd)
    const back = peer(net.transport(victim.id), dir, victim.id, small)
    expect(back.logs.some(l => /pinset .* is damaged .*rebuilding it from the Raft snapshot and log/.test(l))).toBe(true)
    expect(readdirSync(join(dir, victim.id)).some(f => f.startsWith('pinset.sqlite.damaged-'))).toBe(true)
    await until(() => back.consensus.state.count() === 700, 'the rebuilt pinset')
    expect(back.consensus.state.get(syntheticCid(699))?.name).toBe('pin-699')
  })

  it('a pinset that skips fsync is kept after a killed process and rebuilt after a stop of the machine (another boot)', async () => {
    const dir = tempDir()
    const net = new MemoryNetwork()
    const small = { snapshotThreshold: 100, trailingLogs: 10 }
    let boot = 'boot-1'
    const bootId = (): string => boot
    const peers = ids.map(id => peer(net.transport(id), dir, id, small, bootId).consensus)
    await pinRange(await leaderOf(peers), 0, 300)
    const victim = peers.find(p => !p.isLeader()) as RaftConsensus
    const folder = join(dir, victim.id)
    await until(() => victim.state.count() === 300, 'the victim to apply everything')
    await until(() => existsSync(join(folder, 'snapshots')) && readdirSync(join(folder, 'snapshots')).some(f => f.startsWith('snapshot-')), 'a snapshot on the victim')
    const db = (victim.state as unknown as { db: { pragma: (p: string, o: { simple: true }) => number } }).db
    expect(db.pragma('synchronous', { simple: true })).toBe(0)
    expect(readFileSync(join(folder, UNSYNCED_MARKER), 'utf8').trim()).toBe('boot-1')
    // A crash: the folder as it is while the peer runs (every write is in the OS cache).
    const crashed = join(dir, 'crashed')
    cpSync(folder, crashed, { recursive: true })
    await victim.shutdown()
    expect(existsSync(join(folder, UNSYNCED_MARKER))).toBe(false)

    // The process was killed, the machine kept running: the pinset is kept as it is.
    rmSync(folder, { recursive: true })
    cpSync(crashed, folder, { recursive: true })
    const killed = peer(net.transport(victim.id), dir, victim.id, small, bootId)
    expect(killed.consensus.state.count()).toBe(300)
    expect(killed.logs.filter(l => l.includes('pinset'))).toEqual([])
    await killed.consensus.shutdown()

    // The machine stopped (the next start is in another boot): rebuilt from the snapshot and log.
    rmSync(folder, { recursive: true })
    cpSync(crashed, folder, { recursive: true })
    // `state export` of that folder (offline, this machine's real boot ID is neither): rebuilt too.
    const exported = openCommittedPinset(folder)
    try {
      expect(exported.notes.some(n => n.includes('it was open when the machine stopped'))).toBe(true)
      expect(exported.state.count()).toBe(300)
    } finally { exported.close() }
    boot = 'boot-2'
    const rebooted = peer(net.transport(victim.id), dir, victim.id, small, bootId)
    expect(rebooted.logs.some(l => /pinset .* cannot be trusted \(it was open when the machine stopped.*rebuilding it from the Raft snapshot and log/.test(l))).toBe(true)
    expect(readdirSync(folder).some(f => f.startsWith('pinset.sqlite.unsynced-'))).toBe(true)
    expect(readFileSync(join(folder, UNSYNCED_MARKER), 'utf8').trim()).toBe('boot-2')
    await until(() => rebooted.consensus.state.count() === 300, 'the rebuilt pinset')
    expect(rebooted.consensus.state.get(syntheticCid(299))?.name).toBe('pin-299')
  })

  // With a compacted log the leader sends a snapshot; without, the whole log again.
  for (const [label, small] of [['compacted', { snapshotThreshold: 100, trailingLogs: 10 }], ['not compacted', { snapshotThreshold: 100_000 }]] as const) {
    it(`rejoins with a Raft log truncated to nothing, without hand edits (leader's log ${label})`, async () => {
      const dir = tempDir()
      const net = new MemoryNetwork()
      const peers = ids.map(id => peer(net.transport(id), dir, id, small).consensus)
      await pinRange(await leaderOf(peers), 0, 500)
      const victim = peers.find(p => !p.isLeader()) as RaftConsensus
      await until(() => victim.state.count() === 500, 'the victim to apply everything')
      await victim.shutdown()
      truncateSync(join(dir, victim.id, 'raft.sqlite'), 0)

      const back = peer(net.transport(victim.id), dir, victim.id, small)
      expect(back.logs.some(l => /log was lost or truncated/.test(l))).toBe(true)
      // Its old pins stay readable while it waits for the leader's state.
      expect(back.consensus.state.count()).toBe(500)
      const rest = peers.filter(p => p !== victim)
      await pinRange(await leaderOf(rest), 500, 600)
      await until(() => back.consensus.state.count() === 600, 'the peer to receive the state and follow')
      // A restart now is an ordinary one.
      await back.consensus.shutdown()
      const again = peer(net.transport(victim.id), dir, victim.id, small)
      expect(again.logs).toEqual([])
      expect(again.consensus.state.count()).toBe(600)
    })
  }

  it('a peer whose Raft log is unreadable waits for the leader instead of founding a group of its own', async () => {
    const dir = tempDir()
    mkdirSync(join(dir, P1))
    writeFileSync(join(dir, P1, 'raft.sqlite'), Buffer.from('this is not an SQLite database, just some text '.repeat(200)))
    // Alone in its configuration: with its log it would lead at once.
    const alone = peer(new MemoryNetwork().transport(P1), dir, P1, { initPeerset: [P1] })
    expect(alone.logs.some(l => /Raft log .* is damaged/.test(l))).toBe(true)
    await new Promise(resolve => setTimeout(resolve, 500))
    expect(alone.consensus.isLeader()).toBe(false)
    expect(existsSync(join(dir, P1, 'rejoin-pending'))).toBe(true)
  })
})

describe('writes when no leader can exist', () => {
  it('fail within a few election timeouts, as unavailable (503), when no quorum is reachable', async () => {
    const dir = tempDir()
    const net = new MemoryNetwork()
    const down = new Set<string>()
    const peers = ids.map(id => new RaftConsensus({
      id, dataDir: join(dir, id), transport: net.transport(id),
      config: { heartbeatTimeoutMs: 100, waitForLeaderTimeoutMs: 15_000, commitRetries: 1, commitRetryDelayMs: 20, initPeerset: ids },
      reachable: other => !down.has(other)
    }))
    peers.forEach(track)
    const leader = await leaderOf(peers)
    await leader.logPin(pin(1))
    // Two of three peers gone: the survivor can reach no quorum.
    const survivor = peers.find(p => p !== leader) as RaftConsensus
    for (const p of peers) if (p !== survivor) { down.add(p.id); net.isolate(p.id) }
    await until(() => { try { survivor.leader(); return false } catch { return true } }, 'the survivor to lose its leader')
    const started = Date.now()
    const err = await survivor.logPin(pin(2)).then(() => undefined, (e: Error) => e)
    const waited = Date.now() - started
    expect(err?.name).toBe('CommitError')
    expect(err).toMatchObject({ httpStatus: 503, retryAfterSeconds: 5 })
    expect(err?.message).toMatch(/leader unknown or not existing yet/)
    // Two election timeouts of 100 ms (plus polling), not the 15 s wait for a leader (twice).
    expect(waited).toBeLessThan(5_000)
  })
})
