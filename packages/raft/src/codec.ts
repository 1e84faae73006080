import { Packr } from 'msgpackr'
import type { ConfState, Entry, Message, MessageType, Snapshot } from './messages.ts'
import { message } from './messages.ts'
import { DecodeError } from './transport-errors.ts'

/**
 * Binary encoding of {@link Message} for transports: MessagePack (msgpackr) of a positional
 * array, so field names never travel and byte payloads stay raw. Message types travel as small
 * integers (index in MESSAGE_TYPES: append-only, never reorder).
 */
const MESSAGE_TYPES: readonly MessageType[] = [
  'hup', 'beat', 'checkQuorum', 'unreachable', 'snapStatus', 'prop', 'readIndex',
  'app', 'appResp', 'vote', 'voteResp', 'preVote', 'preVoteResp', 'snap',
  'heartbeat', 'heartbeatResp', 'transferLeader', 'timeoutNow', 'readIndexResp'
]
const TYPE_CODES = new Map(MESSAGE_TYPES.map((t, i) => [t, i]))

const packr = new Packr({ useRecords: false, moreTypes: false, int64AsType: 'number' })

type EntryTuple = [number, number, number, Uint8Array]
type SnapshotTuple = [number, number, string[], string[], string[], string[], boolean, Uint8Array]

export function encodeMessage (m: Message): Uint8Array {
  return packr.pack([
    TYPE_CODES.get(m.type), m.from, m.to, m.term, m.logTerm, m.index,
    m.entries.map(encodeEntry), m.commit, m.reject, m.rejectHint,
    m.snapshot === undefined ? null : encodeSnapshot(m.snapshot),
    // The last field is `transfer` for votes and `noAnswer` for appends: peers of earlier
    // versions read it as `transfer`, which an append ignores, so they just answer as before.
    m.context ?? null, (m.type === 'app' ? m.noAnswer : m.transfer) ?? false
  ])
}

export function decodeMessage (bytes: Uint8Array): Message {
  let raw: unknown
  try {
    raw = packr.unpack(bytes)
  } catch (err) {
    throw new DecodeError(`undecodable raft message: ${(err as Error).message}`)
  }
  if (!Array.isArray(raw) || raw.length !== 13) throw new DecodeError('raft message is not a 13-field array')
  const [code, from, to, term, logTerm, index, entries, commit, reject, rejectHint, snapshot, context, transfer] = raw
  const type = MESSAGE_TYPES[code as number]
  if (type === undefined) throw new DecodeError(`unknown raft message type ${String(code)}`)
  if (typeof from !== 'string' || typeof to !== 'string') throw new DecodeError('raft message from/to must be strings')
  for (const n of [term, logTerm, index, commit, rejectHint]) {
    if (!Number.isSafeInteger(n) || (n as number) < 0) throw new DecodeError('raft message numbers must be non-negative integers')
  }
  if (!Array.isArray(entries)) throw new DecodeError('raft message entries must be an array')
  return message({
    type, from, to, term, logTerm, index, commit, rejectHint,
    reject: reject === true,
    entries: entries.map(decodeEntry),
    ...(snapshot === null ? {} : { snapshot: decodeSnapshot(snapshot) }),
    ...(context === null ? {} : { context: bytesOf(context, 'context') }),
    ...(transfer === true ? (type === 'app' ? { noAnswer: true } : { transfer: true }) : {})
  })
}

function encodeEntry (e: Entry): EntryTuple {
  return [e.term, e.index, e.type === 'confChange' ? 1 : 0, e.data]
}

function decodeEntry (raw: unknown): Entry {
  if (!Array.isArray(raw) || raw.length !== 4) throw new DecodeError('raft entry is not a 4-field array')
  const [term, index, type, data] = raw as unknown[]
  if (!Number.isSafeInteger(term) || !Number.isSafeInteger(index)) throw new DecodeError('raft entry term/index must be integers')
  return { term: term as number, index: index as number, type: type === 1 ? 'confChange' : 'normal', data: bytesOf(data, 'entry data') }
}

function encodeSnapshot (s: Snapshot): SnapshotTuple {
  const cs = s.metadata.confState
  return [s.metadata.index, s.metadata.term, cs.voters, cs.learners, cs.votersOutgoing, cs.learnersNext, cs.autoLeave, s.data]
}

function decodeSnapshot (raw: unknown): Snapshot {
  if (!Array.isArray(raw) || raw.length !== 8) throw new DecodeError('raft snapshot is not an 8-field array')
  const [index, term, voters, learners, votersOutgoing, learnersNext, autoLeave, data] = raw as unknown[]
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(term)) throw new DecodeError('raft snapshot index/term must be integers')
  const confState: ConfState = {
    voters: stringsOf(voters), learners: stringsOf(learners), votersOutgoing: stringsOf(votersOutgoing),
    learnersNext: stringsOf(learnersNext), autoLeave: autoLeave === true
  }
  return { metadata: { index: index as number, term: term as number, confState }, data: bytesOf(data, 'snapshot data') }
}

function bytesOf (v: unknown, what: string): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new DecodeError(`raft ${what} must be bytes`)
  // msgpackr gives Node Buffers: hand out plain Uint8Array views of the same memory.
  return Object.getPrototypeOf(v) === Uint8Array.prototype ? v : new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
}

function stringsOf (v: unknown): string[] {
  if (!Array.isArray(v) || !v.every(s => typeof s === 'string')) throw new DecodeError('raft node lists must be string arrays')
  return v
}
