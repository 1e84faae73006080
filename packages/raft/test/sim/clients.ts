/** Simulated clients: issue puts/gets, record the history for the linearizability check. */
import { ProposalDroppedError } from '../../src/index.ts'
import type { NodeId } from '../../src/index.ts'
import { encodeCommand } from './kv.ts'
import type { SimNode, Simulator } from './simulator.ts'
import type { HistoryOp } from './linearizability.ts'

const enc = new TextEncoder()
const KEYS = ['k1', 'k2', 'k3']
/** Number of concurrent clients (each has at most one operation outstanding). */
export const CLIENTS = 3

export interface PendingOp {
  op: HistoryOp
  client: number
  node: NodeId
  via: 'log' | 'readIndex'
  /** Sim time after which the client gives up. */
  deadline: number
  /** For reads: the highest committed index when the read was requested. */
  committedAtInvoke: number
  /** For ReadIndex reads, once the leader answered. */
  readIndex?: number
}

export class History {
  readonly ops: HistoryOp[] = []
  private clock = 0
  readonly pending = new Map<string, PendingOp>()
  stats = { invoked: 0, completed: 0, abandoned: 0, failed: 0 }

  tick (): number {
    return ++this.clock
  }

  invoke (p: Omit<PendingOp, 'op'> & { id: string, key: string, kind: 'put' | 'get', value: string | null }): PendingOp {
    const op: HistoryOp = { id: p.id, key: p.key, kind: p.kind, value: p.value, invoke: this.tick(), response: Infinity }
    const pending: PendingOp = { op, client: p.client, node: p.node, via: p.via, deadline: p.deadline, committedAtInvoke: p.committedAtInvoke }
    this.pending.set(p.id, pending)
    this.stats.invoked++
    return pending
  }

  /** The operation returned (for gets: with the value read). */
  complete (id: string, value: string | null): void {
    const p = this.pending.get(id)
    if (p === undefined) return
    this.pending.delete(id)
    p.op.response = this.tick()
    if (p.op.kind === 'get') p.op.value = value
    this.ops.push(p.op)
    this.stats.completed++
  }

  /** The operation definitely did not happen (e.g. the proposal was refused). */
  fail (id: string): void {
    if (this.pending.delete(id)) this.stats.failed++
  }

  /** The client gave up: a put may still take effect later; a get is simply forgotten. */
  abandon (id: string): void {
    const p = this.pending.get(id)
    if (p === undefined) return
    this.pending.delete(id)
    this.stats.abandoned++
    if (p.op.kind === 'put') this.ops.push(p.op)
  }

  busyClients (): Set<number> {
    return new Set([...this.pending.values()].map((p) => p.client))
  }
}

/** Each idle client may issue an operation to the leader or a random live node. */
export function driveClients (sim: Simulator): void {
  const busy = sim.history.busyClients()
  const live = sim.live()
  if (live.length === 0) return
  for (let c = 0; c < CLIENTS; c++) {
    if (busy.has(c) || !sim.rng.chance(0.3)) continue
    const leader = sim.leader()
    const n = leader !== undefined && sim.rng.chance(0.5) ? leader : sim.rng.pick(live)
    if (n.node === undefined || n.pausedUntil > sim.now) continue
    submit(sim, n, c)
  }
}

/** Issues a put (via the log) or a get (via ReadIndex, or via the log) at node `n`. */
export function submit (sim: Simulator, n: SimNode, client: number, kind?: 'put' | 'get'): string {
  const id = `c${client}-${++sim.opSeq}`
  const key = sim.rng.pick(KEYS)
  const x = sim.rng.next()
  const k = kind ?? (x < 0.5 ? 'put' : 'get')
  const via = k === 'get' && x < 0.8 ? 'readIndex' : 'log'
  sim.history.invoke({
    id, key, kind: k, value: k === 'put' ? id : null, client, node: n.id, via,
    deadline: sim.now + 150, committedAtInvoke: sim.observer.highestCommitted
  })
  try {
    if (via === 'readIndex') n.node?.readIndex(enc.encode(id))
    else n.node?.propose(encodeCommand(k === 'put' ? { id, op: 'put', key, value: id } : { id, op: 'get', key }))
  } catch (err) {
    if (!(err instanceof ProposalDroppedError)) throw err
    sim.history.fail(id)
  }
  sim.drive(n)
  return id
}

/** Answers ReadIndex reads whose index is applied; abandons operations past their deadline. */
export function serveReadsAndTimeouts (sim: Simulator): void {
  for (const [id, p] of [...sim.history.pending]) {
    const n = sim.nodes.get(p.node)
    if (p.readIndex !== undefined && n?.node !== undefined && n.appliedIndex >= p.readIndex) {
      sim.history.complete(id, n.kv.get(p.op.key))
    } else if (p.deadline < sim.now) {
      sim.history.abandon(id)
    }
  }
}
