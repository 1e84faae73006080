/**
 * The data model of the Raft core: entries, persistent state, snapshots and messages.
 * Everything is a plain object so a transport or a storage can encode it as it likes.
 */

/** Opaque node identifier (the cluster uses libp2p peer-ID strings). */
export type NodeId = string

export type EntryType = 'normal' | 'confChange'

export interface Entry {
  term: number
  index: number
  type: EntryType
  /** Opaque payload; for `confChange` entries the encoding of a {@link ConfChange}. */
  data: Uint8Array
}

/** What must be durable before messages depending on it are sent. */
export interface HardState {
  term: number
  vote: NodeId | null
  commit: number
}

export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader'

/** Volatile state reported to the application when it changes. */
export interface SoftState {
  leader: NodeId | null
  role: Role
}

/**
 * Membership. `voters` is the incoming (current) majority; `votersOutgoing` is only
 * non-empty in a joint configuration (kept for a later joint-consensus extension).
 */
export interface ConfState {
  voters: NodeId[]
  learners: NodeId[]
  votersOutgoing: NodeId[]
  learnersNext: NodeId[]
  autoLeave: boolean
}

export interface SnapshotMetadata {
  index: number
  term: number
  confState: ConfState
}

export interface Snapshot {
  metadata: SnapshotMetadata
  /** The application's state machine, opaque to Raft. */
  data: Uint8Array
}

export type ConfChangeType = 'addNode' | 'addLearner' | 'removeNode'

/** A single-server membership change (carried by a `confChange` entry). */
export interface ConfChange {
  type: ConfChangeType
  nodeId: NodeId
  /** Opaque application data (for example the new peer's address). */
  context?: Uint8Array
}

export interface ReadState {
  /** The commit index at the time the read was requested; serve it once applied ≥ index. */
  index: number
  /** The caller's request context, returned unchanged. */
  context: Uint8Array
}

export type MessageType =
  // local messages (never sent on the wire)
  | 'hup' | 'beat' | 'checkQuorum' | 'unreachable' | 'snapStatus'
  // proposals and read requests (term 0: forwarded to the leader like local messages)
  | 'prop' | 'readIndex'
  // peer messages
  | 'app' | 'appResp' | 'vote' | 'voteResp' | 'preVote' | 'preVoteResp' | 'snap'
  | 'heartbeat' | 'heartbeatResp' | 'transferLeader' | 'timeoutNow' | 'readIndexResp'

export interface Message {
  type: MessageType
  from: NodeId
  to: NodeId
  term: number
  /** app: term of the entry at `index` (prevTerm); vote: candidate's last term; reject: hint term. */
  logTerm: number
  /** app: prevIndex; appResp: last accepted (or rejected) index; vote: candidate's last index. */
  index: number
  entries: Entry[]
  commit: number
  reject: boolean
  /** appResp rejection: the follower's guess of the largest index that may match. */
  rejectHint: number
  snapshot?: Snapshot
  /** Read-request context (readIndex, heartbeat, readIndexResp). */
  context?: Uint8Array
  /** vote/preVote sent because of a leadership transfer: bypasses the leader lease. */
  transfer?: boolean
  /**
   * app: it only moves the follower's commit index (no entries; the leader knows the follower
   * holds everything up to `index`), so an accepted one is not answered: the answer would tell
   * the leader nothing. A follower that does not match still rejects it.
   */
  noAnswer?: boolean
}

/** Message types that only ever come from the local node (refused by `RawNode.step`). */
export const LOCAL_MESSAGES: ReadonlySet<MessageType> = new Set([
  'hup', 'beat', 'checkQuorum', 'unreachable', 'snapStatus'
])

/** Response message types (refused by `RawNode.step` if the sender is unknown). */
export const RESPONSE_MESSAGES: ReadonlySet<MessageType> = new Set([
  'appResp', 'voteResp', 'preVoteResp', 'heartbeatResp', 'unreachable', 'snapStatus'
])

/** Builds a message with every field defaulted. */
export function message (fields: Partial<Message> & Pick<Message, 'type'>): Message {
  return {
    from: '',
    to: '',
    term: 0,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    ...fields
  }
}

export function emptyConfState (): ConfState {
  return { voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false }
}

export function emptySnapshot (): Snapshot {
  return { metadata: { index: 0, term: 0, confState: emptyConfState() }, data: new Uint8Array(0) }
}

export function isEmptySnapshot (s: Snapshot | undefined): boolean {
  return s === undefined || s.metadata.index === 0
}

export function isHardStateEqual (a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit
}

export function isEmptyHardState (s: HardState): boolean {
  return s.term === 0 && s.vote === null && s.commit === 0
}

/** Sum of the payload sizes, used for byte limits. */
export function payloadSize (entries: readonly Entry[]): number {
  let n = 0
  for (const e of entries) n += e.data.byteLength
  return n
}

/** Approximate encoded size of an entry (payload plus a fixed header), used for message limits. */
export function entrySize (e: Entry): number {
  return e.data.byteLength + 16
}

/**
 * Trims `entries` so that their total size stays within `maxSize` (always keeping the
 * first entry) and their count within `maxCount`.
 */
export function limitSize (entries: Entry[], maxSize: number, maxCount = Infinity): Entry[] {
  if (entries.length === 0) return entries
  let size = entrySize(entries[0] as Entry)
  let n = 1
  while (n < entries.length && n < maxCount) {
    size += entrySize(entries[n] as Entry)
    if (size > maxSize) break
    n++
  }
  return n === entries.length ? entries : entries.slice(0, n)
}
