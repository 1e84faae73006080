import { silentLogger, type Logger, type Pin } from '@cluster/api'
import { ProposalDroppedError, isEmptySnapshot } from '@cluster/raft'
import { NodeStalledError, RaftNode, TimeoutError, decodeDescriptor, fileSnapshotFetcher, type RaftTransport, type SnapshotEvent } from '@cluster/raft/node'
import type { SqliteStorage } from '@cluster/raft/sqlite'
import { openDataFolder, type OpenDataFolderOptions } from './data-folder.ts'
import { resolveRaftConfig, type RaftConsensusConfig } from './raft-config.ts'
import { CommitError, CommitUnavailableError, ConsensusShutdownError, NoLeaderError, StorageUnavailableError, isDiskFull } from './errors.ts'
import { decodeOp, encodeBatches, encodeOp, type LogOp } from './ops.ts'
import { PinsetState, type ApplyHooks } from './state.ts'
import { tracingEnabled } from '@cluster/observability/trace'
import { CommitTraces } from './commit-trace.ts'
import type { ClusterConsensus } from './consensus-api.ts'
import { campaignEarly } from './early-election.ts'

export interface RaftConsensusInit {
  /** This peer's ID (the libp2p peer ID string the transport uses). */
  id: string
  /** The Raft data folder (`raft.sqlite` and `pinset.sqlite` live there). */
  dataDir: string
  transport: RaftTransport
  config?: Partial<RaftConsensusConfig>
  /** Joining an existing cluster: never bootstrap a new group, wait to be added. */
  joining?: boolean
  hooks?: ApplyHooks
  /** This peer was removed from the peerset (the service then shuts down). */
  onRemoved?: () => void
  onLeaderChange?: (leader: string | null) => void
  /** After each pin/unpin commit, with its duration (metrics). */
  onCommit?: (op: 'pin' | 'unpin', seconds: number, ok: boolean) => void
  /** Storage or state failure: consensus stopped on this peer (the service must shut down). */
  onFatal?: (err: Error) => void
  /**
   * Whether a member is reachable now (a live connection). With it, a peer that cannot reach a
   * quorum fails writes after an election timeout instead of waiting `wait_for_leader_timeout`,
   * and the first election of a start begins as soon as a quorum is reachable (early-election.ts).
   */
  reachable?: (id: string) => boolean
  /** What consensus does that an operator should see (repairs, snapshots sent and received). */
  log?: Logger
  /** How the data folder is opened (tests stand in another boot of the machine). */
  dataFolder?: OpenDataFolderOptions
}

/**
 * The cluster's shared pinset over Raft: pins and unpins are log operations, every peer applies
 * them to its SQLite pinset in order. Commits may start on any peer (followers forward to the
 * leader) and are retried `commit_retries` times across leader changes; pin and unpin are
 * idempotent, so a retry after an uncertain timeout is safe.
 */
export class RaftConsensus implements ClusterConsensus {
  readonly kind = 'raft'
  readonly state: PinsetState
  private readonly markSynced: () => void
  private readonly stampClosed: () => void
  readonly id: string
  private readonly node: RaftNode<void>
  private readonly storage: SqliteStorage
  private readonly config: RaftConsensusConfig
  private readonly reachable?: (id: string) => boolean
  private readonly onCommit?: RaftConsensusInit['onCommit']
  private readonly traces = new CommitTraces('raft')
  private stopped = false
  private stopEarlyElection = (): void => {}

  constructor (init: RaftConsensusInit) {
    this.id = init.id
    this.config = resolveRaftConfig(init.config)
    this.reachable = init.reachable
    this.onCommit = init.onCommit
    const log = init.log ?? silentLogger
    const { storage, state, snapshots, rejoin, repairs, markSynced, stampClosed } = openDataFolder(init.dataDir, this.traces.wrap(init.hooks), init.dataFolder)
    for (const repair of repairs) log('warn', repair)
    this.storage = storage
    this.state = state
    this.markSynced = markSynced
    this.stampClosed = stampClosed
    const peerset = this.config.initPeerset.length > 0 ? this.config.initPeerset : [init.id]
    const electionTicks = 10
    const canCarryFiles = init.transport.readSnapshotFile !== undefined && init.transport.serveSnapshotFiles !== undefined
    this.node = new RaftNode(init.id, {
      storage: this.storage,
      transport: init.transport,
      stateMachine: this.state,
      snapshotFetcher: canCarryFiles ? fileSnapshotFetcher(snapshots, init.transport) : undefined,
      onSnapshotEvent: event => { logSnapshotEvent(log, event) },
      bootstrap: !rejoin && init.joining !== true && peerset.includes(init.id) ? peerset : undefined,
      tickMs: Math.max(1, Math.round(this.config.heartbeatTimeoutMs / electionTicks)),
      electionTicks,
      heartbeatTicks: 1,
      maxEntriesPerMsg: this.config.maxAppendEntries,
      snapshotEvery: this.config.snapshotThreshold,
      keepAfterSnapshot: this.config.trailingLogs,
      requestTimeoutMs: this.config.waitForLeaderTimeoutMs,
      // One entry (1 client) is written and fsynced on the loop: its commit then waits ~0.2–0.4
      // ms for the disk rather than ~0.9 ms for a thread-pool callback (bench/latency-ab.ts).
      syncPersistMaxEntries: 1,
      onRemoved: init.onRemoved,
      onLeaderChange: init.onLeaderChange,
      // Only with tracing on when the peer starts: the leader's hot path stays as it was.
      onForwardedProposals: tracingEnabled() ? (from, payloads) => { this.traceForwarded(from, payloads) } : undefined,
      onFatal: init.onFatal,
      // A full disk: the node stands still and writes again once it can, as Go's steps down and
      // retries (other failures, a failed fsync among them, still stop it).
      retryFailedWrite: isDiskFull,
      onStall: err => {
        if (err !== undefined) log('error', `raft cannot write to this peer's disk (${err.message}): it stands still and tries again every second; writes through this peer are refused meanwhile`)
        else log('info', 'raft writes to this peer\'s disk again')
      }
    })
    // The stored snapshot must be a file this peer can send (not one lost, nor an in-message
    // snapshot of an earlier version): otherwise a new one is taken as soon as possible.
    const snap = storage.snapshot()
    const descriptor = decodeDescriptor(snap.data)
    if (!isEmptySnapshot(snap) && snap.data.length > 0 && (descriptor === undefined || !snapshots.has(descriptor))) this.node.requestSnapshot()
    if (rejoin) log('warn', 'waiting for the cluster leader to send this peer the current state')
    this.node.start()
    if (!rejoin && this.reachable !== undefined) {
      this.stopEarlyElection = campaignEarly({ id: this.id, node: this.node, reachable: this.reachable, withinMs: this.config.waitForLeaderTimeoutMs })
    }
  }

  /** Raft starts in the constructor. */
  async start (): Promise<void> {}

  /** With Raft every member is trusted. */
  isTrusted (_id: string): boolean {
    return true
  }

  /** Adds or replaces the pin of `pin.cid` in the shared pinset; resolves once applied here. */
  async logPin (pin: Pin): Promise<void> {
    await this.commit({ type: 'pin', pin })
  }

  /** Removes the pin; resolves once applied here. Removing an absent pin is fine. */
  async logUnpin (pin: Pin): Promise<void> {
    await this.commit({ type: 'unpin', pin })
  }

  /**
   * Many pins and unpins in as few log entries as fit (batch entries of about 512 KiB, each
   * applied in one transaction), committed one after the other. Yields each entry's operations
   * once applied here, or with the error that stopped them (the following entries are not tried
   * and carry the same error).
   */
  async * logBatch (ops: readonly LogOp[]): AsyncGenerator<{ ops: LogOp[], error?: Error }> {
    let failure: Error | undefined
    for (const { payload, ops: group } of encodeBatches(ops)) {
      if (failure === undefined) {
        try {
          // Never put an entry in the shared log that the other peers could not decode.
          decodeOp(payload)
          await this.retry(async () => { await this.node.propose(payload) }, `batch of ${group.length} operations`)
        } catch (err) {
          failure = err as Error
        }
      }
      yield failure === undefined ? { ops: group } : { ops: group, error: failure }
    }
  }

  /** The current leader's ID; throws NoLeaderError when there is none. */
  leader (): string {
    this.assertRunning()
    const leader = this.node.leaderId
    if (leader === null) throw new NoLeaderError()
    return leader
  }

  isLeader (): boolean {
    return this.node.isLeader
  }

  async waitForLeader (timeoutMs = this.config.waitForLeaderTimeoutMs): Promise<string> {
    const deadline = Date.now() + timeoutMs
    // No quorum reachable for two election timeouts: no leader can be elected now.
    const giveUpAfter = 2 * this.config.heartbeatTimeoutMs
    let cutOffSince: number | undefined
    while (this.node.leaderId === null) {
      this.assertRunning()
      const now = Date.now()
      if (now > deadline) throw new NoLeaderError()
      const unreachable = this.quorumUnreachable()
      cutOffSince = unreachable === undefined ? undefined : (cutOffSince ?? now)
      if (unreachable !== undefined && cutOffSince !== undefined && now - cutOffSince >= giveUpAfter) {
        throw new NoLeaderError(undefined, unreachable)
      }
      await sleep(20)
    }
    return this.node.leaderId
  }

  /** Why no quorum can be reached now (undefined: it can, or reachability is unknown). */
  private quorumUnreachable (): string | undefined {
    if (this.reachable === undefined) return undefined
    const voters = this.node.status().confState.voters
    if (voters.length === 0) return undefined
    const up = voters.filter(v => v === this.id || this.reachable?.(v) === true).length
    const quorum = Math.floor(voters.length / 2) + 1
    return up >= quorum ? undefined : `${up} of ${voters.length} Raft members reachable, ${quorum} needed`
  }

  /** Members of the latest configuration (voters), sorted as strings like Go. */
  peers (): string[] {
    this.assertRunning()
    return [...this.node.status().confState.voters].sort()
  }

  /** Adds a voter; a peer already in the configuration is a success without a log entry. */
  async addPeer (id: string): Promise<void> {
    if (this.peers().includes(id)) return
    await this.retry(async () => { await this.node.addVoter(id) }, `add peer ${id}`)
  }

  /** Removes a member; not a member → success; the last member cannot remove itself (Go's text). */
  async rmPeer (id: string): Promise<void> {
    const peers = this.peers()
    if (!peers.includes(id)) return
    if (peers.length === 1) throw new CommitError('cannot remove ourselves from a 1-peer cluster')
    await this.retry(async () => { await this.node.removeMember(id) }, `remove peer ${id}`)
  }

  /** Linearizable read barrier: after it, `state` reflects every commit made before the call. */
  async readBarrier (): Promise<void> {
    await this.retry(async () => { await this.node.readBarrier() }, 'read barrier')
  }

  async shutdown (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.stopEarlyElection()
    await this.node.stop()
    this.traces.close()
    this.storage.close()
    this.markSynced()
    this.state.close()
    this.stampClosed()
  }

  private async commit (op: LogOp): Promise<void> {
    const payload = encodeOp(op)
    // Never put an entry in the shared log that the other peers could not decode.
    decodeOp(payload)
    const started = performance.now()
    let ok = false
    try {
      await this.traces.commit(op.type, op.pin, async (traceparent) => {
        const what = `${op.type} ${op.pin.cid.toString()}`
        if (traceparent === undefined) {
          await this.retry(async () => { await this.node.propose(payload) }, what)
          return
        }
        // With tracing on, the entry carries the trace to every peer's apply: the commit's, or
        // on a follower that of the hand-over to the leader.
        await this.retry(async () => {
          const leader = this.node.leaderId
          if (leader === null || leader === this.id) {
            await this.node.propose(encodeOp({ ...op, traceparent }))
            return
          }
          await this.traces.forward(leader, async (tp) => { await this.node.propose(encodeOp({ ...op, traceparent: tp ?? traceparent })) })
        }, what)
      })
      ok = true
    } finally {
      this.onCommit?.(op.type, (performance.now() - started) / 1000, ok)
    }
  }

  /** On the leader with tracing on: a server span for each forwarded entry that carries a trace. */
  private traceForwarded (from: string, payloads: Uint8Array[]): void {
    for (const payload of payloads) {
      try {
        const op = decodeOp(payload)
        if (op.type !== 'batch' && op.traceparent !== undefined) this.traces.served(from, op.traceparent, op.pin)
      } catch {
        // not ours to judge here: the state machine rejects it when applied
      }
    }
  }

  /** Runs `attempt` up to 1 + commit_retries times while there is no leader or it times out. */
  private async retry (attempt: () => Promise<void>, what: string): Promise<void> {
    let last: Error | undefined
    for (let i = 0; i <= this.config.commitRetries; i++) {
      this.assertRunning()
      if (i > 0) await sleep(this.config.commitRetryDelayMs)
      try {
        await this.waitForLeader()
        await attempt()
        return
      } catch (err) {
        if (err instanceof NodeStalledError) throw new StorageUnavailableError(`${what}: this peer cannot write to its disk: ${(err.cause as Error | undefined)?.message ?? err.message}`, { cause: err })
        if (!(err instanceof ProposalDroppedError || err instanceof TimeoutError || err instanceof NoLeaderError)) throw err
        last = err
        // Retrying cannot help while no quorum can be reached.
        if (err instanceof NoLeaderError && err.reason !== '') break
      }
    }
    throw new CommitUnavailableError(`${what}: ${last?.message ?? 'failed'}`, { cause: last })
  }

  private assertRunning (): void {
    if (this.stopped) throw new ConsensusShutdownError()
  }
}

function logSnapshotEvent (log: Logger, e: SnapshotEvent): void {
  switch (e.type) {
    case 'created': log('info', `raft snapshot at index ${e.index} written in ${e.ms} ms`); break
    case 'create-failed': log('error', `raft snapshot at index ${e.index} failed: ${e.error.message}`); break
    case 'fetching': log('info', `receiving the state (raft snapshot at index ${e.index}) from ${e.from}`); break
    case 'fetched': log('info', `received raft snapshot ${e.index} from ${e.from} in ${e.ms} ms`); break
    case 'fetch-failed': log('warn', `receiving raft snapshot ${e.index} from ${e.from} failed (resumes on the next attempt): ${e.error.message}`); break
    case 'restored': log('info', `installed raft snapshot ${e.index} in ${e.ms} ms`)
  }
}

async function sleep (ms: number): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, ms))
}
