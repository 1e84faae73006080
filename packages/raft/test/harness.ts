/**
 * A tiny synchronous "network" of Raft cores for scenario tests (modelled on etcd's
 * raft_test.go network): every node persists each Ready immediately into a MemoryStorage,
 * messages are delivered in FIFO order until the network is quiet, and links can be cut
 * or filtered.
 */
import { RawNode, MemoryStorage, SeededRng, bootstrapSnapshot, decodeConfChange, StepPeerNotFoundError } from '../src/index.ts'
import type { ConfChange, ConfState, Entry, Message, MessageType, NodeId, RaftConfig, ReadState, Ready } from '../src/index.ts'
import type { Raft } from '../src/raft.ts'
import { raftOf } from '../src/rawnode.ts'

const enc = new TextEncoder()
const dec = new TextDecoder()

export const bytes = (s: string): Uint8Array => enc.encode(s)
export const text = (b: Uint8Array): string => dec.decode(b)

export interface TestNode {
  id: NodeId
  node: RawNode
  storage: MemoryStorage
  /** Data of applied normal entries (non-empty ones), in order. */
  applied: string[]
  appliedIndex: number
  confState: ConfState | undefined
  readStates: ReadState[]
  /** Every Ready handled, for assertions about what was persisted/sent. */
  readies: Ready[]
}

export type Filter = (m: Message) => boolean

export interface NetworkOptions extends Partial<Omit<RaftConfig, 'id' | 'storage' | 'rng'>> {
  seed?: number
  /** Nodes that start with empty storage (joining later). */
  joiners?: NodeId[]
  learners?: NodeId[]
  /**
   * Pre-existing logs: the terms of entries 2, 3, … (entry 1 is the bootstrap snapshot) and
   * the node's current term.
   */
  preset?: Record<NodeId, { terms: number[], term: number }>
}

export class Network {
  readonly nodes = new Map<NodeId, TestNode>()
  /** Messages sent, in order (for assertions). */
  readonly log: Message[] = []
  private readonly queue: Message[] = []
  private readonly cut = new Set<string>()
  private readonly dropped = new Set<MessageType>()
  private filters: Filter[] = []
  private readonly options: NetworkOptions
  private readonly rng: SeededRng

  constructor (voters: NodeId[], options: NetworkOptions = {}) {
    this.options = options
    this.rng = new SeededRng(options.seed ?? 1)
    const learners = options.learners ?? []
    for (const id of [...voters, ...learners]) {
      const storage = new MemoryStorage()
      storage.bootstrap(bootstrapSnapshot(voters, bytes('[]'), learners))
      const p = options.preset?.[id]
      if (p !== undefined) {
        storage.append(p.terms.map((term, i) => ({ term, index: i + 2, type: 'normal' as const, data: bytes(`t${term}i${i + 2}`) })))
        storage.setHardState({ term: p.term, vote: null, commit: 1 })
      }
      this.addNode(id, undefined, storage)
    }
    for (const id of options.joiners ?? []) this.addNode(id)
  }

  /** Adds a node; with a bootstrap snapshot it is a founding member, without it starts empty. */
  addNode (id: NodeId, boot?: ReturnType<typeof bootstrapSnapshot>, storage = new MemoryStorage()): TestNode {
    if (boot !== undefined) storage.bootstrap(boot)
    const { seed: _seed, joiners: _j, learners: _l, preset: _p, ...cfg } = this.options
    const node = new RawNode({ ...cfg, id, storage, rng: new SeededRng(this.rng.intn(2 ** 31)) })
    const snap = storage.snapshot()
    const tn: TestNode = {
      id,
      node,
      storage,
      applied: snap.metadata.index > 0 ? JSON.parse(text(snap.data)) as string[] : [],
      appliedIndex: snap.metadata.index,
      confState: snap.metadata.index > 0 ? snap.metadata.confState : undefined,
      readStates: [],
      readies: []
    }
    this.nodes.set(id, tn)
    return tn
  }

  /** Simulates a restart from durable state (everything in the node's storage). */
  restart (id: NodeId): TestNode {
    const old = this.get(id)
    this.nodes.delete(id)
    return this.addNode(id, undefined, old.storage)
  }

  get (id: NodeId): TestNode {
    const n = this.nodes.get(id)
    if (n === undefined) throw new Error(`no node ${id}`)
    return n
  }

  raft (id: NodeId): Raft {
    return raftOf(this.get(id).node)
  }

  // ------------------------------------------------------------ faults

  /** Cuts both directions between a and b. */
  cutLink (a: NodeId, b: NodeId): void {
    this.cut.add(`${a}>${b}`)
    this.cut.add(`${b}>${a}`)
  }

  /** Cuts only messages from a to b. */
  cutOneWay (from: NodeId, to: NodeId): void {
    this.cut.add(`${from}>${to}`)
  }

  isolate (id: NodeId): void {
    for (const other of this.nodes.keys()) if (other !== id) this.cutLink(id, other)
  }

  /** Splits the network into groups that cannot talk to each other. */
  partition (...groups: NodeId[][]): void {
    for (const g of groups) {
      for (const h of groups) {
        if (g === h) continue
        for (const a of g) for (const b of h) this.cutOneWay(a, b)
      }
    }
  }

  drop (type: MessageType): void {
    this.dropped.add(type)
  }

  addFilter (f: Filter): void {
    this.filters.push(f)
  }

  heal (): void {
    this.cut.clear()
    this.dropped.clear()
    this.filters = []
  }

  // ------------------------------------------------------------ driving

  /** Delivers messages (and processes Readies) until nothing is left. Bounded. */
  settle (maxSteps = 100_000): void {
    this.flushReadies()
    for (let i = 0; i < maxSteps; i++) {
      const m = this.queue.shift()
      if (m === undefined) return
      this.deliver(m)
      this.flushReadies()
    }
    throw new Error('network did not settle')
  }

  send (m: Message): void {
    this.queue.push(m)
    this.settle()
  }

  private deliver (m: Message): void {
    if (this.cut.has(`${m.from}>${m.to}`) || this.dropped.has(m.type)) return
    if (this.filters.some((f) => !f(m))) return
    const n = this.nodes.get(m.to)
    if (n === undefined) return
    try {
      n.node.step(m)
    } catch (err) {
      if (!(err instanceof StepPeerNotFoundError) && (err as Error).name !== 'ProposalDroppedError') throw err
    }
  }

  tick (id: NodeId, n = 1): void {
    for (let i = 0; i < n; i++) {
      this.get(id).node.tick()
      this.settle()
    }
  }

  /** Ticks every node `n` times, settling after each round. */
  tickAll (n = 1): void {
    for (let i = 0; i < n; i++) {
      for (const tn of this.nodes.values()) tn.node.tick()
      this.settle()
    }
  }

  campaign (id: NodeId): void {
    this.get(id).node.campaign()
    this.settle()
  }

  propose (id: NodeId, data: string): void {
    this.get(id).node.propose(bytes(data))
    this.settle()
  }

  proposeConfChange (id: NodeId, cc: ConfChange): void {
    this.get(id).node.proposeConfChange(cc)
    this.settle()
  }

  readIndex (id: NodeId, ctx: string): void {
    this.get(id).node.readIndex(bytes(ctx))
    this.settle()
  }

  transferLeadership (leader: NodeId, to: NodeId): void {
    this.get(leader).node.transferLeadership(to)
    this.settle()
  }

  /** The current leader (the highest-term node in the leader role), if any. */
  leader (): NodeId | undefined {
    let best: TestNode | undefined
    for (const tn of this.nodes.values()) {
      const r = raftOf(tn.node)
      if (r.role === 'leader' && (best === undefined || r.term > raftOf(best.node).term)) best = tn
    }
    return best?.id
  }

  /** The terms of the node's log entries from index `from` to the end. */
  terms (id: NodeId, from = 1): number[] {
    const log = this.raft(id).log
    const out: number[] = []
    for (let i = from; i <= log.lastIndex(); i++) out.push(log.term(i))
    return out
  }

  /** Takes a snapshot at the node's applied index and compacts its log up to it. */
  compact (id: NodeId, keep = 0): void {
    const tn = this.get(id)
    const cs = tn.confState
    if (cs === undefined) throw new Error('no configuration yet')
    tn.storage.createSnapshot(tn.appliedIndex, cs, bytes(JSON.stringify(tn.applied)))
    const upTo = tn.appliedIndex - keep
    if (upTo >= tn.storage.firstIndex()) tn.storage.compact(upTo)
  }

  private flushReadies (): void {
    for (let guard = 0; guard < 10_000; guard++) {
      let any = false
      for (const tn of [...this.nodes.values()]) {
        if (!tn.node.hasReady()) continue
        any = true
        this.handleReady(tn)
      }
      if (!any) return
    }
    throw new Error('readies did not settle')
  }

  private handleReady (tn: TestNode): void {
    const rd = tn.node.ready()
    tn.readies.push(rd)
    for (const m of rd.messagesNow) this.enqueue(m)
    if (rd.snapshot !== undefined) {
      tn.storage.applySnapshot(rd.snapshot)
      tn.applied = JSON.parse(text(rd.snapshot.data)) as string[]
      tn.appliedIndex = rd.snapshot.metadata.index
      tn.confState = rd.snapshot.metadata.confState
    }
    tn.storage.append(rd.entries)
    if (rd.hardState !== undefined) tn.storage.setHardState(rd.hardState)
    for (const m of rd.messagesAfterPersist) this.enqueue(m)
    for (const e of rd.committedEntries) this.apply(tn, e)
    tn.readStates.push(...rd.readStates)
    tn.node.advance(rd)
  }

  private apply (tn: TestNode, e: Entry): void {
    if (e.type === 'confChange') {
      tn.confState = tn.node.applyConfChange(decodeConfChange(e.data))
    } else if (e.data.length > 0) {
      tn.applied.push(text(e.data))
    }
    tn.appliedIndex = e.index
  }

  private enqueue (m: Message): void {
    this.log.push(m)
    this.queue.push(m)
  }
}
