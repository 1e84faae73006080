/**
 * The environment of the data-driven interaction scripts (test/testdata/*.txt), after etcd-io/raft's
 * rafttest.InteractionEnv: nodes are real RawNodes over MemoryStorage, messages wait in one queue
 * until a script delivers them, and every Ready, message and trace-logger line is printed.
 */
import {
  MemoryStorage, ProposalDroppedError, RawNode, SeededRng, bootstrapSnapshot, decodeConfChange, describeEntry,
  describeMessage, type ConfChangeType, type Message, type NodeId, type Ready
} from '../../src/index.ts'
import { describeConfState, describeSnapshot } from '../../src/describe.ts'
import { raftOf } from '../../src/rawnode.ts'

/** One command line: `name arg arg key=value`. */
export interface Command {
  name: string
  args: string[]
  flags: Map<string, string>
}

export function parseCommand (line: string): Command {
  const [name = '', ...rest] = line.trim().split(/\s+/)
  const args: string[] = []
  const flags = new Map<string, string>()
  for (const tok of rest) {
    const eq = tok.indexOf('=')
    if (eq > 0) flags.set(tok.slice(0, eq), tok.slice(eq + 1))
    else args.push(tok)
  }
  return { name, args, flags }
}

interface TestNode {
  node: RawNode
  storage: MemoryStorage
  /** The state machine: the payloads applied, in order. */
  applied: string[]
}

type Level = 'none' | 'debug' | 'trace'

export class InteractionEnv {
  private readonly nodes = new Map<NodeId, TestNode>()
  private queue: Message[] = []
  private readonly isolated = new Set<NodeId>()
  private level: Level = 'debug'
  private out: string[] = []

  /** Runs one command; returns its output (never empty, no blank lines). */
  handle (cmd: Command): string {
    this.out = []
    try {
      this.dispatch(cmd)
    } catch (err) {
      this.out.push(`error: ${(err as Error).message}`)
    }
    return this.out.length === 0 ? 'ok' : this.out.join('\n')
  }

  private dispatch (cmd: Command): void {
    const ids = cmd.args
    switch (cmd.name) {
      case 'add-nodes': return this.addNodes(Number(ids[0]), cmd.flags.get('voters'))
      case 'campaign': return this.get(ids[0]).node.campaign()
      case 'propose': return this.propose(ids[0], ids[1] ?? '')
      case 'propose-conf-change': return this.proposeConfChange(ids[0], ids[1] as ConfChangeType, ids[2] ?? '')
      case 'transfer-leadership': return this.get(cmd.flags.get('from')).node.transferLeadership(cmd.flags.get('to') ?? '')
      case 'tick': return this.tick(ids[0], Number(ids[1] ?? 1))
      case 'tick-election': {
        // ticks until the node's (randomised) election timeout elapses
        const r = raftOf(this.get(ids[0]).node)
        return this.tick(ids[0], Math.max(1, r.randomizedElectionTimeout - r.electionElapsed))
      }
      case 'tick-heartbeat': return this.tick(ids[0], raftOf(this.get(ids[0]).node).cfg.heartbeatTicks)
      case 'process-ready': return this.forEach(ids, (id) => { this.processReady(id) })
      case 'deliver-msgs': return this.forEach(ids, (id) => { this.deliver(id, cmd.flags.get('drop') === 'true') })
      case 'stabilize': return this.stabilize(ids.length > 0 ? ids : [...this.nodes.keys()])
      case 'isolate': this.isolated.add(ids[0] ?? ''); return
      case 'heal': this.isolated.clear(); return
      case 'compact': return this.compact(ids[0], Number(ids[1]))
      case 'status': return this.forEach(ids, (id) => { this.status(id) })
      case 'raft-log': return this.raftLog(ids[0])
      case 'log-level': this.level = (ids[0] ?? 'debug') as Level; return
      default: throw new Error(`unknown command ${cmd.name}`)
    }
  }

  /** Output of the command; `log-level none` silences everything but errors (for the set-up steps of a script). */
  private print (line: string): void {
    if (this.level !== 'none' || line.startsWith('error: ')) this.out.push(line)
  }

  private get (id: NodeId | undefined): TestNode {
    const n = this.nodes.get(id ?? '')
    if (n === undefined) throw new Error(`no node ${String(id)}`)
    return n
  }

  private forEach (ids: string[], fn: (id: NodeId) => void): void {
    for (const id of ids.length > 0 ? ids : [...this.nodes.keys()]) fn(id)
  }

  /** `add-nodes N [voters=1,2,3]`: N new nodes, ids counting on; the voters bootstrap (none: an empty log, to be added later). */
  private addNodes (n: number, voters: string | undefined): void {
    const first = this.nodes.size + 1
    const ids = Array.from({ length: n }, (_, i) => String(first + i))
    const group = voters === undefined ? ids : voters === '' ? [] : voters.split(',')
    for (const id of ids) {
      const storage = new MemoryStorage()
      if (group.length > 0) storage.bootstrap(bootstrapSnapshot(group))
      const logger = {
        debug: (msg: string) => { this.print(`DEBUG ${msg}`) },
        trace: (msg: string) => { if (this.level === 'trace') this.print(`TRACE ${msg}`) }
      }
      const node = new RawNode({ id, storage, rng: new SeededRng(Number(id)), logger })
      this.nodes.set(id, { node, storage, applied: [] })
    }
  }

  private propose (id: NodeId | undefined, data: string): void {
    try {
      this.get(id).node.propose(new TextEncoder().encode(data))
    } catch (err) {
      if (!(err instanceof ProposalDroppedError)) throw err
      this.print(`proposal dropped: ${err.message}`)
    }
  }

  private proposeConfChange (id: NodeId | undefined, type: ConfChangeType, nodeId: NodeId): void {
    this.get(id).node.proposeConfChange({ type, nodeId })
  }

  private tick (id: NodeId | undefined, n: number): void {
    const { node } = this.get(id)
    for (let i = 0; i < n; i++) node.tick()
  }

  /** Handles one Ready of `id` the way a driver would: persist, queue messages, apply, advance. */
  private processReady (id: NodeId): boolean {
    const tn = this.get(id)
    if (!tn.node.hasReady()) return false
    const rd = tn.node.ready()
    this.print(`> ${id} handling Ready`)
    for (const line of describeReady(rd)) this.print(`  ${line}`)
    this.queue.push(...rd.messagesNow)
    if (rd.snapshot !== undefined) {
      tn.storage.applySnapshot(rd.snapshot)
      tn.applied = decodeState(rd.snapshot.data)
    }
    tn.storage.append(rd.entries)
    if (rd.hardState !== undefined) tn.storage.setHardState(rd.hardState)
    this.queue.push(...rd.messagesAfterPersist)
    for (const e of rd.committedEntries) {
      if (e.type === 'confChange') tn.node.applyConfChange(decodeConfChange(e.data))
      else if (e.data.length > 0) tn.applied.push(new TextDecoder().decode(e.data))
    }
    tn.node.advance(rd)
    return true
  }

  /** Steps every queued message addressed to `id` (or drops them); returns how many there were. */
  private deliver (id: NodeId, drop: boolean): number {
    const mine = this.queue.filter((m) => m.to === id)
    if (mine.length === 0) return 0
    this.queue = this.queue.filter((m) => m.to !== id)
    const tn = this.get(id)
    for (const m of mine) {
      if (drop || this.isolated.has(m.from) || this.isolated.has(m.to)) {
        this.print(`dropped: ${describeMessage(m)}`)
        continue
      }
      this.print(describeMessage(m))
      try {
        tn.node.step(m)
      } catch (err) {
        this.print(`error: ${(err as Error).message}`)
      }
    }
    return mine.length
  }

  /** Processes Readies and delivers messages among `ids` until nothing moves (etcd's stabilize). */
  private stabilize (ids: NodeId[]): void {
    for (let round = 0; round < 1000; round++) {
      let moved = false
      for (const id of ids) moved = this.processReady(id) || moved
      for (const id of ids) {
        if (!this.queue.some((m) => m.to === id)) continue
        this.print(`> ${id} receiving messages`)
        moved = this.deliver(id, false) > 0 || moved
      }
      if (!moved) return
    }
    throw new Error('stabilize: no fixed point after 1000 rounds')
  }

  /** `compact ID INDEX`: snapshots the node's state machine at INDEX (≤ applied) and compacts its log. */
  private compact (id: NodeId | undefined, index: number): void {
    const tn = this.get(id)
    const { confState, applied } = tn.node.status()
    if (index > applied) throw new Error(`index ${index} is not applied yet (applied ${applied})`)
    tn.storage.createSnapshot(index, confState, encodeState(tn.applied))
    tn.storage.compact(index)
    this.print(`${String(id)}: snapshot at ${index}, log now starts at ${tn.storage.firstIndex()}`)
  }

  private status (id: NodeId): void {
    const tn = this.get(id)
    const s = tn.node.status()
    this.print(`${id}: ${s.softState.role} term=${s.hardState.term} leader=${s.softState.leader ?? 'none'} ` +
      `commit=${s.hardState.commit} applied=${s.applied} ${describeConfState(s.confState)} state=[${tn.applied.join(' ')}]`)
    for (const [peer, p] of s.progress) {
      this.print(`  ${peer}: ${p.state} match=${p.match} next=${p.next}${p.isLearner ? ' learner' : ''}`)
    }
  }

  private raftLog (id: NodeId | undefined): void {
    const { storage } = this.get(id)
    const snap = storage.snapshot()
    if (snap.metadata.index > 0) this.print(`snapshot ${describeSnapshot(snap)}`)
    const first = storage.firstIndex()
    const last = storage.lastIndex()
    if (last < first) this.print('log is empty')
    else for (const e of storage.entries(first, last + 1, Infinity)) this.print(describeEntry(e))
  }
}

function describeReady (rd: Ready): string[] {
  const lines: string[] = []
  if (rd.softState !== undefined) lines.push(`soft state: ${rd.softState.role} leader=${rd.softState.leader ?? 'none'}`)
  if (rd.hardState !== undefined) lines.push(`hard state: term=${rd.hardState.term} vote=${rd.hardState.vote ?? 'none'} commit=${rd.hardState.commit}`)
  if (rd.snapshot !== undefined) lines.push(`snapshot: ${describeSnapshot(rd.snapshot)}`)
  const list = (title: string, items: string[]): void => {
    if (items.length === 0) return
    lines.push(`${title}:`)
    for (const item of items) lines.push(`  ${item}`)
  }
  list('entries', rd.entries.map(describeEntry))
  list('messages now', rd.messagesNow.map(describeMessage))
  list('messages after persist', rd.messagesAfterPersist.map(describeMessage))
  list('committed', rd.committedEntries.map(describeEntry))
  list('read states', rd.readStates.map((rs) => `index=${rs.index}`))
  if (rd.mustSync) lines.push('must sync')
  return lines
}

function encodeState (applied: string[]): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(applied))
}

function decodeState (data: Uint8Array): string[] {
  return data.length === 0 ? [] : JSON.parse(new TextDecoder().decode(data)) as string[]
}
