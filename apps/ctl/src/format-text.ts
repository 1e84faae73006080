/**
 * Text formatters: the exact lines Go's ipfs-cluster-ctl prints for each object type
 * (ctl.md §4.3). Each returns the whole text including the final newline.
 */
import {
  cidToString,
  type AddedOutput, type Alert, type CID, type BandwidthByProtocol, type ErrorBody, type GlobalPinInfo, type GlobalRepoGc, type Id, type Metric, type Pin,
  type Timestamp, type Version
} from '@cluster/api'
import { goFixed, humanBytes, relativeTime } from './humanize.ts'

/** Go's sort.Strings order (bytes; the same as UTF-16 order for the ASCII IDs involved). */
export function byBytes (a: string, b: string): number {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return Buffer.compare(x, y)
}

/** Go's `%-<width>s`: pads with spaces to `width` runes; longer strings are kept whole. */
export function padRight (s: string, width: number): string {
  const runes = Array.from(s).length
  return runes >= width ? s : s + ' '.repeat(width - runes)
}

/** Go's `%<width>s`. */
export function padLeft (s: string, width: number): string {
  const runes = Array.from(s).length
  return runes >= width ? s : ' '.repeat(width - runes) + s
}

export function formatId (obj: Id): string {
  if (obj.error !== '') return `${obj.id} | ERROR: ${obj.error}\n`
  let out = `${obj.id} | ${obj.peername} | Sees ${(obj.clusterPeers?.length ?? 0) - 1} other peers\n`
  out += '  > Addresses:\n'
  for (const a of [...(obj.addresses ?? [])].sort(byBytes)) out += `    - ${a}\n`
  if (obj.ipfs.error !== '') return out + `  > IPFS ERROR: ${obj.ipfs.error}\n`
  out += `  > IPFS: ${obj.ipfs.id ?? ''}\n`
  for (const a of [...(obj.ipfs.addresses ?? [])].sort(byBytes)) out += `    - ${a}\n`
  return out
}

/** The header line of a GlobalPinInfo whose CID may be undefined (Go prints `b`). */
function cidText (cid: CID | undefined): string {
  return cid === undefined ? 'b' : cidToString(cid)
}

export function formatGlobalPinInfo (obj: GlobalPinInfo): string {
  let out = cidText(obj.cid)
  if (obj.name !== '') out += ` | ${obj.name}`
  out += ':\n'
  const peerMap = obj.peerMap ?? {}
  for (const peer of Object.keys(peerMap).sort(byBytes)) {
    const v = peerMap[peer]!
    const label = v.peername !== '' ? v.peername : peer
    out += `    > ${padRight(label, 20)} : ${v.status.toUpperCase()}`
    if (v.error !== '') out += `: ${v.error}`
    out += ` | ${v.timestamp.toString()} | Attempts: ${v.attemptCount} | Priority: ${v.priorityPin ? 'true' : 'false'}\n`
  }
  return out
}

/** `2006-01-02 15:04:05` in the timestamp's own offset. */
export function formatDateTime (t: Timestamp): string {
  const c = t.civil()
  const p = (n: number, w = 2): string => String(n).padStart(w, '0')
  return `${p(c.year, 4)}-${p(c.month)}-${p(c.day)} ${p(c.hour)}:${p(c.minute)}:${p(c.second)}`
}

export function formatPin (obj: Pin): string {
  let type = obj.type.toUpperCase()
  if (obj.mode === 'direct') type += '-DIRECT'
  let out = `${cidToString(obj.cid)} | ${obj.name} | ${type} | `
  if (obj.replicationFactorMin === -1 && obj.replicationFactorMax === -1) {
    out += 'Repl. Factor: -1 | Allocations: [everywhere]'
  } else {
    const allocs = [...(obj.allocations ?? [])].sort(byBytes)
    out += `Repl. Factor: ${obj.replicationFactorMin}--${obj.replicationFactorMax} | Allocations: [${allocs.join(' ')}]`
  }
  let depth: string
  switch (obj.maxDepth) {
    case 0: depth = 'Direct'; break
    case -1: depth = 'Recursive'; break
    default: depth = `Recursive-${obj.maxDepth}`
  }
  out += ` | ${depth}`
  out += ` | Metadata: ${Object.keys(obj.metadata ?? {}).length === 0 ? 'no' : 'yes'}`
  out += ` | Exp: ${obj.expireAt.isZero() ? '∞' : formatDateTime(obj.expireAt)}`
  out += ` | Added: ${obj.timestamp.isZero() ? 'unknown' : formatDateTime(obj.timestamp)}\n`
  return out
}

export function formatAddedOutput (obj: AddedOutput, quiet: boolean): string {
  const cid = cidText(obj.cid)
  return quiet ? `${cid}\n` : `added ${cid} ${obj.name}\n`
}

/** `now` in Unix nanoseconds. */
export function formatMetric (m: Metric, nowNs: bigint): string {
  const value = m.name === 'freespace' && m.weight > 0 ? humanBytes(m.weight) : m.value
  return `${m.peer} | ${m.name}: ${value} | Expires in: ${relativeTime(m.expire, nowNs)}\n`
}

export function formatAlert (a: Alert, nowNs: bigint): string {
  return `${a.peer}: ${a.name}. Expired at: ${relativeTime(a.expire, nowNs)}. Triggered at: ${relativeTime(a.triggeredAt.unixNanos, nowNs)}\n`
}

export function formatGlobalRepoGc (obj: GlobalRepoGc): string {
  let out = ''
  const peerMap = obj.peerMap ?? {}
  for (const peer of Object.keys(peerMap).sort(byBytes)) {
    const item = peerMap[peer]!
    const label = item.peername !== '' ? item.peername : peer
    out += item.error !== '' ? `${padRight(label, 15)} | ERROR: ${item.error}\n` : `${padRight(label, 15)}\n`
    out += '  > CIDs:\n'
    for (const key of item.keys ?? []) {
      out += key.error !== '' ? `    - ERROR: ${key.error}\n` : `    - ${key.key === undefined ? 'b' : cidToString(key.key)}\n`
    }
  }
  return out
}

export function formatBandwidth (obj: BandwidthByProtocol): string {
  let out = ''
  const map = obj ?? {}
  for (const proto of Object.keys(map).sort(byBytes)) {
    const b = map[proto]!
    out += `${padLeft(proto, 25)}: In: ${padLeft(humanBytes(b.totalIn), 7)}. Out: ${padLeft(humanBytes(b.totalOut), 7)}. ` +
      `RateIn: ${goFixed(b.rateIn, 2)}B/s. RateOut: ${goFixed(b.rateOut, 2)}B/s\n`
  }
  return out
}

export function formatVersion (v: Version): string {
  return `${v.version}\n`
}

export function formatMetricNames (names: readonly string[]): string {
  return names.map((n) => `${n}\n`).join('')
}

export function formatApiError (e: ErrorBody): string {
  return `An error occurred:\n  Code: ${e.code}\n  Message: ${e.message}\n`
}
