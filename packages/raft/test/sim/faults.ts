/** Seeded fault schedule of the simulator: partitions, crashes, pauses, skew, compaction, membership. */
import { ProposalDroppedError } from '../../src/index.ts'
import type { NodeId } from '../../src/index.ts'
import { raftOf } from '../../src/rawnode.ts'
import type { SimNode, Simulator } from './simulator.ts'

interface Timer {
  at: number
  what: string
  fn: () => void
}

export class FaultInjector {
  private readonly sim: Simulator
  private timers: Timer[] = []

  constructor (sim: Simulator) {
    this.sim = sim
  }

  private later (delay: number, what: string, fn: () => void): void {
    this.timers.push({ at: this.sim.now + delay, what, fn })
  }

  restartLater (n: SimNode, delay: number): void {
    this.later(delay, `restart ${n.id}`, () => { if (n.node === undefined) this.sim.start(n) })
  }

  runTimers (): void {
    const due = this.timers.filter((t) => t.at <= this.sim.now)
    if (due.length === 0) return
    this.timers = this.timers.filter((t) => t.at > this.sim.now)
    for (const t of due) {
      this.sim.log(t.what)
      t.fn()
    }
  }

  private cutLinks (pairs: Array<[NodeId, NodeId]>, heal: number, what: string): void {
    const added: string[] = []
    for (const [a, b] of pairs) {
      const k = `${a}>${b}`
      if (!this.sim.net.cut.has(k)) { this.sim.net.cut.add(k); added.push(k) }
    }
    this.sim.log(what)
    this.later(heal, `heal ${what}`, () => { for (const k of added) this.sim.net.cut.delete(k) })
  }

  inject (): void {
    const { sim } = this
    const r = sim.rng
    const ids = [...sim.nodes.keys()]
    if (r.chance(0.004)) {
      const side = new Set(ids.filter(() => r.chance(0.5)))
      const pairs: Array<[NodeId, NodeId]> = []
      for (const a of ids) for (const b of ids) if (side.has(a) !== side.has(b)) pairs.push([a, b])
      sim.stats.partitions = (sim.stats.partitions ?? 0) + 1
      this.cutLinks(pairs, 20 + r.intn(150), `partition {${[...side].join(',')}} | rest`)
    }
    if (r.chance(0.004) && ids.length > 1) {
      const a = r.pick(ids)
      const b = r.pick(ids.filter((x) => x !== a))
      this.cutLinks([[a, b]], 10 + r.intn(120), `one-way cut ${a}->${b}`)
    }
    if (r.chance(0.002)) {
      const l = sim.leader()
      if (l !== undefined) {
        const pairs: Array<[NodeId, NodeId]> = []
        for (const b of ids) if (b !== l.id) pairs.push([l.id, b], [b, l.id])
        this.cutLinks(pairs, 20 + r.intn(120), `isolate leader ${l.id}`)
      }
    }
    if (r.chance(0.004)) {
      const live = sim.live()
      if (live.length > 0) {
        const n = r.pick(live)
        const lose = r.chance(0.5)
        sim.stats.crashes = (sim.stats.crashes ?? 0) + 1
        if (lose) sim.stats.crashesLosingWrites = (sim.stats.crashesLosingWrites ?? 0) + 1
        sim.log(`crash ${n.id}${lose ? ' (losing unsynced writes)' : ''}`)
        sim.crash(n, lose)
        this.restartLater(n, 1 + r.intn(80))
      }
    }
    if (r.chance(0.002)) {
      const n = r.pick([...sim.nodes.values()])
      n.pausedUntil = sim.now + 10 + r.intn(50)
      sim.stats.pauses = (sim.stats.pauses ?? 0) + 1
      sim.log(`pause ${n.id} until t=${n.pausedUntil}`)
    }
    if (r.chance(0.002)) {
      const n = r.pick([...sim.nodes.values()])
      n.tickRate = 0.3 + 0.7 * r.next()
      n.diskSpeed = 0.1 + 0.85 * r.next()
      sim.log(`clock skew ${n.id} rate=${n.tickRate.toFixed(2)} disk=${n.diskSpeed.toFixed(2)}`)
    }
    if (r.chance(0.002)) {
      sim.dropRate = r.pick([0, 0.01, 0.05, 0.2])
      sim.dupRate = r.pick([0, 0.02, 0.1])
      sim.log(`network quality drop=${sim.dropRate} dup=${sim.dupRate}`)
    }
    for (const n of sim.live()) if (r.chance(0.01)) this.compact(n)
    if (sim.opts.membership && r.chance(0.005)) this.membership()
    if (r.chance(0.003)) this.transfer()
  }

  compact (n: SimNode): void {
    const snapIndex = n.storage.snapshot().metadata.index
    if (n.appliedIndex <= snapIndex) return
    n.storage.createSnapshot(n.appliedIndex, n.confState, n.kv.snapshot())
    const upTo = n.appliedIndex - this.sim.rng.intn(20)
    if (upTo >= n.storage.firstIndex()) n.storage.compact(upTo)
    this.sim.stats.compactions = (this.sim.stats.compactions ?? 0) + 1
  }

  private membership (): void {
    const { sim } = this
    const r = sim.rng
    const l = sim.leader()
    const raft = l?.node === undefined ? undefined : raftOf(l.node)
    if (l?.node === undefined || raft === undefined) return
    if (raft.pendingConfIndex > raft.log.applied) return
    const cs = raft.trk.confState()
    const minVoters = 3
    const maxVoters = sim.opts.nodes + 1
    let what: string
    try {
      const learner = cs.learners[0]
      if (learner !== undefined && r.chance(0.6)) {
        what = `propose promote ${learner}`
        l.node.proposeConfChange({ type: 'addNode', nodeId: learner })
      } else if (cs.voters.length < maxVoters && r.chance(0.5)) {
        // a new peer always has a new id and empty storage
        const id = sim.newNodeId()
        const n = sim.addNode(id)
        sim.start(n)
        const type = r.chance(0.5) ? 'addNode' : 'addLearner'
        what = `propose ${type} ${id}`
        l.node.proposeConfChange({ type, nodeId: id })
      } else if (cs.voters.length > minVoters) {
        const victim = r.pick(cs.voters)
        what = `propose removeNode ${victim}${victim === l.id ? ' (the leader)' : ''}`
        l.node.proposeConfChange({ type: 'removeNode', nodeId: victim })
      } else {
        return
      }
    } catch (err) {
      if (!(err instanceof ProposalDroppedError)) throw err
      what = 'membership proposal dropped'
    }
    sim.log(`${l.id}: ${what}`)
    sim.drive(l)
  }

  private transfer (): void {
    const { sim } = this
    const l = sim.leader()
    if (l?.node === undefined) return
    const voters = raftOf(l.node).trk.confState().voters.filter((v) => v !== l.id)
    if (voters.length === 0) return
    const to = sim.rng.pick(voters)
    sim.stats.transfers = (sim.stats.transfers ?? 0) + 1
    sim.log(`${l.id}: transfer leadership to ${to}`)
    l.node.transferLeadership(to)
    sim.drive(l)
  }

  /** Ends every fault: links, pauses, skew, drops; restarts crashed nodes. */
  healAll (): void {
    const { sim } = this
    sim.net.cut.clear()
    const restarts = this.timers.filter((t) => t.what.startsWith('restart'))
    this.timers = []
    for (const t of restarts) t.fn()
    for (const n of sim.nodes.values()) {
      n.pausedUntil = 0
      n.tickRate = 1
      n.diskSpeed = 0.9
    }
    sim.dropRate = 0
    sim.dupRate = 0
  }
}
