/**
 * Deterministic Raft simulator: N cores, a message queue keyed by delivery time, a
 * durable-vs-unsynced disk per node, seeded faults, clients and a global observer.
 * Everything derives from the seed: a failing run is replayed with the same options.
 */
import {
  MemoryStorage, ProposalDroppedError, RaftError, RawNode, SeededRng, StepPeerNotFoundError, bootstrapSnapshot,
  decodeConfChange, emptyConfState
} from '../../src/index.ts'
import type { ConfState, Entry, Message, NodeId, RaftConfig, Ready } from '../../src/index.ts'
import { raftOf } from '../../src/rawnode.ts'
import { CLIENTS, History, driveClients, serveReadsAndTimeouts, submit } from './clients.ts'
import { FaultInjector } from './faults.ts'
import { KvState, decodeCommand } from './kv.ts'
import { checkLinearizable } from './linearizability.ts'
import { SimNetwork } from './network.ts'
import { Observer, SimViolation } from './observer.ts'

export interface SimOptions {
  seed: number
  /** Initial voters (3 or 5). */
  nodes: number
  /** Simulated ticks with faults. */
  steps: number
  /** Ticks of the healed liveness phase. Default 600. */
  settleSteps?: number
  faults?: boolean
  membership?: boolean
  /** Keep the whole trace instead of the last `traceLimit` lines. */
  verbose?: boolean
  traceLimit?: number
}

export interface SimResult {
  seed: number
  nodes: number
  ok: boolean
  violation?: string
  linearizability: 'ok' | 'unknown' | 'failed' | 'skipped'
  trace: string[]
  stats: Record<string, number>
  config: Partial<RaftConfig>
}

export interface SimNode {
  id: NodeId
  storage: MemoryStorage
  node: RawNode | undefined
  pending: Ready | undefined
  kv: KvState
  appliedIndex: number
  confState: ConfState
  tickRate: number
  /** Chance per attempt that the write of a pending Ready completes (a slow disk is low). */
  diskSpeed: number
  pausedUntil: number
  incarnation: number
}

const dec = new TextDecoder()

export class Simulator {
  readonly rng: SeededRng
  readonly opts: Required<SimOptions>
  readonly nodes = new Map<NodeId, SimNode>()
  readonly net = new SimNetwork()
  readonly observer = new Observer()
  readonly history = new History()
  readonly faults: FaultInjector
  readonly trace: string[] = []
  readonly stats: Record<string, number> = {
    messages: 0, dropped: 0, duplicated: 0, truncated: 0, leaderChanges: 0, crashes: 0, crashesLosingWrites: 0,
    partitions: 0, snapshotsDelivered: 0, compactions: 0, confChangesApplied: 0, transfers: 0, pauses: 0
  }

  readonly cfg: Omit<RaftConfig, 'id' | 'storage' | 'rng'>
  now = 0
  faulty = true
  dropRate = 0.01
  dupRate = 0.02
  private nextId: number
  opSeq = 0

  constructor (opts: SimOptions) {
    this.opts = { settleSteps: 600, faults: true, membership: true, verbose: false, traceLimit: 400, ...opts }
    this.rng = new SeededRng(opts.seed)
    const r = this.rng
    this.cfg = {
      electionTicks: 10,
      heartbeatTicks: 1,
      preVote: r.chance(0.85),
      checkQuorum: r.chance(0.85),
      maxInflightMsgs: 1 + r.intn(8),
      maxEntriesPerMsg: 1 + r.intn(8),
      maxBytesPerMsg: 256 + r.intn(2048),
      maxUncommittedBytes: r.chance(0.3) ? 4096 : 0
    }
    const voters = Array.from({ length: opts.nodes }, (_, i) => `n${i + 1}`)
    this.nextId = opts.nodes
    for (const id of voters) {
      const storage = new MemoryStorage()
      storage.bootstrap(bootstrapSnapshot(voters, new KvState().snapshot()))
      this.start(this.addNode(id, storage))
    }
    this.faults = new FaultInjector(this)
  }

  log (line: string): void {
    this.trace.push(`t=${this.now} ${line}`)
    if (!this.opts.verbose && this.trace.length > this.opts.traceLimit * 2) this.trace.splice(0, this.trace.length - this.opts.traceLimit)
  }

  addNode (id: NodeId, storage = new MemoryStorage()): SimNode {
    const n: SimNode = {
      id, storage, node: undefined, pending: undefined, kv: new KvState(), appliedIndex: 0, confState: emptyConfState(),
      tickRate: 1, diskSpeed: 0.6, pausedUntil: 0, incarnation: 0
    }
    this.nodes.set(id, n)
    return n
  }

  newNodeId (): NodeId {
    return `n${++this.nextId}`
  }

  /** (Re)starts a node from its durable storage. */
  start (n: SimNode): void {
    const snap = n.storage.snapshot()
    // the state machine restarts from the snapshot: entries after it are applied again
    n.node = new RawNode({
      ...this.cfg, id: n.id, storage: n.storage, rng: new SeededRng(this.rng.intn(2 ** 31)), applied: snap.metadata.index
    })
    n.kv = KvState.restore(snap.data)
    n.appliedIndex = snap.metadata.index
    n.confState = snap.metadata.confState
    n.pending = undefined
    n.incarnation++
    this.observer.onStart(n.id, n.storage, n.incarnation)
  }

  /** Crashes a node; with `lose`, the writes of the Ready in progress never reach the disk. */
  crash (n: SimNode, lose: boolean): void {
    if (n.node === undefined) return
    if (n.pending !== undefined && !lose) this.persist(n, n.pending) // synced, but nothing sent or applied
    n.pending = undefined
    n.node = undefined
    for (const [id, p] of this.history.pending) if (p.node === n.id) this.history.abandon(id)
  }

  leader (): SimNode | undefined {
    let best: SimNode | undefined
    for (const n of this.nodes.values()) {
      const r = n.node === undefined ? undefined : raftOf(n.node)
      if (r?.role === 'leader' && (best === undefined || r.term > (best.node === undefined ? 0 : raftOf(best.node).term))) best = n
    }
    return best
  }

  live (): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.node !== undefined)
  }

  // ------------------------------------------------------------ messages and readies

  send (m: Message): void {
    this.observer.onSend(m)
    this.stats.messages = (this.stats.messages ?? 0) + 1
    this.net.send(m, this.now + this.delay())
  }

  private delay (): number {
    const x = this.rng.next()
    if (!this.faulty) return x < 0.9 ? 0 : 1
    if (x < 0.8) return 0
    if (x < 0.95) return 1 + this.rng.intn(3)
    if (x < 0.99) return 4 + this.rng.intn(12)
    return 20 + this.rng.intn(80)
  }

  private deliver (): void {
    for (let budget = 50_000; budget > 0; budget--) {
      let m = this.net.popDue(this.now)
      if (m === undefined) return
      const to = this.nodes.get(m.to)
      if (to?.node !== undefined && to.pausedUntil > this.now) {
        this.net.send(m, to.pausedUntil)
        continue
      }
      const up = this.net.linkUp(m.from, m.to)
      if (to?.node === undefined || !up || (this.faulty && this.rng.chance(this.dropRate))) {
        this.stats.dropped = (this.stats.dropped ?? 0) + 1
        const from = this.nodes.get(m.from)
        if (from?.node !== undefined) {
          if (m.type === 'snap') from.node.reportSnapshot(m.to, false)
          else if (!up && this.rng.chance(0.3)) from.node.reportUnreachable(m.to)
        }
        continue
      }
      if (this.faulty && this.rng.chance(this.dupRate)) {
        this.stats.duplicated = (this.stats.duplicated ?? 0) + 1
        this.net.send(m, this.now + this.delay())
      }
      if (this.faulty && m.type === 'app' && m.entries.length > 1 && this.rng.chance(0.03)) {
        this.stats.truncated = (this.stats.truncated ?? 0) + 1
        m = { ...m, entries: m.entries.slice(0, 1 + this.rng.intn(m.entries.length - 1)) }
      }
      try {
        to.node.step(m)
      } catch (err) {
        if (!(err instanceof StepPeerNotFoundError || err instanceof ProposalDroppedError)) throw err
      }
      if (m.type === 'snap') {
        this.stats.snapshotsDelivered = (this.stats.snapshotsDelivered ?? 0) + 1
        this.nodes.get(m.from)?.node?.reportSnapshot(m.to, true)
      }
      this.drive(to)
    }
    throw new SimViolation('message storm: delivery budget exhausted')
  }

  /** Moves a node's Ready pipeline forward: take a Ready, or finish (sync) the one in progress. */
  drive (n: SimNode, finishChance = n.diskSpeed): void {
    for (let k = 0; k < 4; k++) {
      if (n.node === undefined || n.pausedUntil > this.now) return
      if (n.pending !== undefined) {
        if (this.faulty && n.pending.mustSync && this.rng.chance(0.002)) {
          this.log(`crash ${n.id} before its disk write completed`)
          this.stats.crashes = (this.stats.crashes ?? 0) + 1
          this.stats.crashesLosingWrites = (this.stats.crashesLosingWrites ?? 0) + 1
          this.crash(n, true)
          this.faults.restartLater(n, 1 + this.rng.intn(10))
          return
        }
        if (!this.rng.chance(this.faulty ? finishChance : 0.9)) return
        this.finish(n)
      } else if (n.node.hasReady()) {
        this.begin(n)
      } else {
        return
      }
    }
  }

  private begin (n: SimNode): void {
    const node = n.node as RawNode
    this.observer.checkNode(n.id, raftOf(node), n.incarnation)
    const rd = node.ready()
    n.pending = rd
    if (rd.softState !== undefined) {
      this.log(`${n.id} ${rd.softState.role} term=${raftOf(node).term} leader=${String(rd.softState.leader)}`)
      if (rd.softState.role === 'leader') this.stats.leaderChanges = (this.stats.leaderChanges ?? 0) + 1
    }
    for (const m of rd.messagesNow) this.send(m)
    // targeted fault: die before this Ready reaches the disk (durable state changes are lost)
    if (this.faulty && rd.mustSync && this.rng.chance(0.004)) {
      this.stats.crashesLosingWrites = (this.stats.crashesLosingWrites ?? 0) + 1
      this.stats.crashes = (this.stats.crashes ?? 0) + 1
      this.log(`crash ${n.id} with a Ready in flight (losing its writes)`)
      this.crash(n, true)
      this.faults.restartLater(n, 1 + this.rng.intn(10))
    }
  }

  private persist (n: SimNode, rd: Ready): void {
    if (rd.snapshot !== undefined) n.storage.applySnapshot(rd.snapshot)
    n.storage.append(rd.entries)
    if (rd.hardState !== undefined) n.storage.setHardState(rd.hardState)
    this.observer.onPersist(n.id, rd, n.storage)
  }

  private finish (n: SimNode): void {
    const rd = n.pending as Ready
    const node = n.node as RawNode
    n.pending = undefined
    this.persist(n, rd)
    for (const m of rd.messagesAfterPersist) this.send(m)
    if (rd.snapshot !== undefined) {
      n.kv = KvState.restore(rd.snapshot.data)
      n.appliedIndex = rd.snapshot.metadata.index
      n.confState = rd.snapshot.metadata.confState
      this.observer.onRestoreSnapshot(n.id, n.appliedIndex)
    }
    for (const e of rd.committedEntries) this.apply(n, node, e)
    for (const rs of rd.readStates) {
      const p = this.history.pending.get(dec.decode(rs.context))
      if (p === undefined || p.node !== n.id || p.via !== 'readIndex') continue
      if (rs.index < p.committedAtInvoke) {
        throw new SimViolation(`ReadIndex ${rs.index} for ${p.op.id} is below index ${p.committedAtInvoke} committed before the read`)
      }
      p.readIndex = rs.index
    }
    node.advance(rd)
  }

  private apply (n: SimNode, node: RawNode, e: Entry): void {
    this.observer.onApply(n.id, e)
    n.appliedIndex = e.index
    if (e.type === 'confChange') {
      const cc = decodeConfChange(e.data)
      n.confState = node.applyConfChange(cc)
      if (raftOf(node).role === 'leader' || raftOf(node).lead === null) {
        this.stats.confChangesApplied = (this.stats.confChangesApplied ?? 0) + 1
        this.log(`${n.id} applied ${cc.type} ${cc.nodeId} -> voters=${n.confState.voters.join(',')} learners=${n.confState.learners.join(',')}`)
      }
      return
    }
    if (e.data.length === 0) return
    const cmd = decodeCommand(e.data)
    const res = n.kv.apply(cmd)
    const p = this.history.pending.get(cmd.id)
    if (p !== undefined && p.node === n.id && p.via === 'log') this.history.complete(cmd.id, cmd.op === 'get' ? res.value : cmd.value ?? null)
  }

  // ------------------------------------------------------------ the loop

  step (): void {
    this.now++
    if (this.faulty) this.faults.inject()
    this.faults.runTimers()
    for (const n of this.nodes.values()) {
      if (n.node === undefined || n.pausedUntil > this.now) continue
      if (this.rng.chance(n.tickRate)) n.node.tick()
      this.drive(n)
    }
    this.deliver()
    driveClients(this)
    for (const n of this.nodes.values()) this.drive(n, Math.max(n.diskSpeed, 0.5))
    this.deliver()
    serveReadsAndTimeouts(this)
    this.observer.check([...this.nodes.values()].map((n) => ({ id: n.id, raft: n.node === undefined ? undefined : raftOf(n.node), incarnation: n.incarnation })))
  }

  run (): SimResult {
    let violation: string | undefined
    let lin: SimResult['linearizability'] = 'skipped'
    try {
      this.faulty = this.opts.faults
      for (let i = 0; i < this.opts.steps; i++) this.step()
      this.checkLiveness()
      for (const id of [...this.history.pending.keys()]) this.history.abandon(id)
      const r = checkLinearizable(this.history.ops)
      lin = r.ok === true ? 'ok' : r.ok === 'unknown' ? 'unknown' : 'failed'
      if (r.ok === false) violation = `linearizability (key ${r.key}): ${r.reason}`
    } catch (err) {
      if (err instanceof SimViolation || err instanceof RaftError) violation = `${err.name}: ${err.message}`
      else violation = `crash: ${(err as Error).stack ?? String(err)}`
    }
    if (violation !== undefined) this.log(`VIOLATION ${violation}`)
    return {
      seed: this.opts.seed,
      nodes: this.opts.nodes,
      ok: violation === undefined,
      ...(violation !== undefined ? { violation } : {}),
      linearizability: lin,
      trace: this.trace,
      stats: { ...this.stats, ...this.history.stats, ticks: this.now },
      config: this.cfg
    }
  }

  /** Heals everything, then requires a leader and a committed, applied proposal within a bound. */
  private checkLiveness (): void {
    this.faulty = false
    this.faults.healAll()
    this.log('healed: liveness phase')
    let probe: string | undefined
    for (let i = 0; i < this.opts.settleSteps; i++) {
      this.step()
      const leader = this.leader()
      if (leader?.node === undefined) continue
      if (probe !== undefined && !this.history.pending.has(probe)) {
        if (this.history.ops.some((o) => o.id === probe && o.response !== Infinity)) return
        probe = undefined
      }
      if (probe === undefined && i > 50) probe = submit(this, leader, CLIENTS, 'put')
    }
    throw new SimViolation(`liveness: no committed proposal within ${this.opts.settleSteps} ticks after healing`)
  }
}

export function runSimulation (opts: SimOptions): SimResult {
  return new Simulator(opts).run()
}
