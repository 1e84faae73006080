import type { IncomingHttpHeaders } from 'node:http'
import type { CID } from 'multiformats/cid'
import { parseCid } from '@cluster/api'
import { sameMultihash, toCid, type CidLike } from './cid.ts'
import type { TimerHandle } from '@cluster/api'
import { deadline } from './deadline.ts'
import {
  IpfsAbortedError, IpfsApiError, IpfsBadResponseError, IpfsConnectorError, IpfsTruncatedResponseError, PinStalledError, messageOf
} from './errors.ts'
import type { KuboHttp, Query } from './http.ts'
import type { IpfsPinStatus, IpfsPinType, PinLsEntry, PinLsType, PinProgress } from './types.ts'

export interface PinAddOptions {
  /** -1 (default) recursive, 0 direct, n > 0 `max-depth=n` (Kubo ignores it: fully recursive). */
  maxDepth?: number
  /** No-progress window; the pin is cancelled with {@link PinStalledError}. 0/undefined: none. */
  stallTimeoutMs?: number
  onProgress?: (progress: PinProgress) => void
  /** Called with the answer's headers once they arrive (see {@link pinsLikeKubo}). */
  onHeaders?: (headers: IncomingHttpHeaders) => void
  signal?: AbortSignal
}

export interface TimeoutOptions {
  /** Deadline (0/undefined: none). */
  timeoutMs?: number
  signal?: AbortSignal
}

/** Query of `pin/add`/`pin/ls` depth, as Go builds it (keys sorted). */
function depthQuery (maxDepth: number): Query {
  if (maxDepth === 0) return [['recursive', 'false']]
  if (maxDepth > 0) return [['max-depth', String(maxDepth)], ['recursive', 'true']]
  return [['recursive', 'true']]
}

/**
 * `pin/add?progress=true`: no deadline, only stall detection — the pin is cancelled when
 * `Progress` has not grown for `stallTimeoutMs`. Succeeds only when Kubo's final
 * `{"Pins":[…]}` line arrived and no `X-Stream-Error` trailer was set.
 */
export async function pinAdd (http: KuboHttp, cid: CidLike, options: PinAddOptions = {}): Promise<string[]> {
  return await pinAddStream(http, [toCid(cid)], [], options)
}

/**
 * `pin/add` of several CIDs in one call that fetches nothing (`offline=true`): Kubo pins them in
 * order and fails at the first one whose blocks it does not hold (those before it stay pinned).
 * Stall detection as {@link pinAdd}: a big DAG held locally takes as long as it takes. Resolves
 * with the CIDs Kubo reports pinned.
 */
export async function pinAddLocal (http: KuboHttp, cids: readonly CidLike[], options: PinAddOptions = {}): Promise<string[]> {
  return await pinAddStream(http, cids.map(c => toCid(c)), [['offline', 'true']], options)
}

async function pinAddStream (http: KuboHttp, cids: readonly CID[], extra: Query, options: PinAddOptions): Promise<string[]> {
  const given = cids.map(c => c.toString())
  const cidStr = given.join(',')
  const label = `pin/add?arg=${cidStr}`
  const stall = options.stallTimeoutMs ?? 0
  // Aborted by the caller (reason kept when it is one of ours) or by the stall watcher.
  const controller = new AbortController()
  const caller = options.signal
  const forward = (): void => {
    const reason: unknown = caller?.reason
    controller.abort(reason instanceof IpfsConnectorError ? reason : new IpfsAbortedError(label, reason))
  }
  if (caller?.aborted === true) forward()
  else caller?.addEventListener('abort', forward, { once: true })
  let highest = 0
  let lastProgressAt = http.clock.now()
  let timer: TimerHandle | undefined
  const check = (): void => {
    timer = undefined
    const idle = http.clock.now() - lastProgressAt
    if (idle >= stall) {
      controller.abort(new PinStalledError(cidStr, stall, highest))
    } else {
      timer = http.clock.setTimeout(check, stall - idle)
    }
  }
  if (stall > 0) timer = http.clock.setTimeout(check, stall)
  try {
    const args = given.map((c): [string, string] => ['arg', c])
    const res = await http.call('pin/add', [...args, ...depthQuery(options.maxDepth ?? -1), ['progress', 'true'], ...extra], { signal: controller.signal })
    options.onHeaders?.(res.headers)
    let pins: string[] | undefined
    for await (const line of res.lines<{ Progress?: unknown, Bytes?: unknown, Pins?: unknown }>()) {
      if (typeof line !== 'object' || line === null) throw new IpfsBadResponseError(res.label, `unexpected line ${JSON.stringify(line)}`)
      if (Array.isArray(line.Pins)) {
        pins = line.Pins.map(String)
        continue
      }
      const progress = typeof line.Progress === 'number' ? line.Progress : 0
      if (progress > highest) {
        highest = progress
        lastProgressAt = http.clock.now()
      }
      options.onProgress?.({ progress, bytes: typeof line.Bytes === 'number' ? line.Bytes : 0 })
    }
    if (pins === undefined) throw new IpfsTruncatedResponseError(res.label, 'stream ended without the final {"Pins":[…]} line')
    return pins
  } finally {
    if (timer !== undefined) http.clock.clearTimeout(timer)
    caller?.removeEventListener('abort', forward)
  }
}

/**
 * Whether a `pin/add` answer came from Kubo itself, whose pin/add of a CID already pinned that
 * way changes nothing: Kubo streams the answer (`X-Chunked-Output: 1`, progress lines). An IPFS
 * Cluster proxy answers with one object and `Server: ipfs-cluster/ipfsproxy/<version>` (Go's and
 * ours), and its pin/add is a cluster pin with default options, which would replace the options
 * of a pin the cluster below already holds.
 */
export function pinsLikeKubo (headers: IncomingHttpHeaders): boolean {
  const server = String(headers.server ?? '')
  return headers['x-chunked-output'] === '1' && !server.startsWith('ipfs-cluster/')
}

/** `pin/rm?arg=<cid>` (recursive by default at Kubo's side, which also removes a direct pin). */
export async function pinRm (http: KuboHttp, cid: CidLike, options: TimeoutOptions = {}): Promise<string[]> {
  const res = await http.call('pin/rm', [['arg', toCid(cid).toString()]], options)
  const body = await res.json<{ Pins?: unknown }>()
  return Array.isArray(body?.Pins) ? body.Pins.map(String) : []
}

/** `pin/update?arg=<from>&arg=<to>&unpin=<bool>`: no deadline by default (Go has none). */
export async function pinUpdate (http: KuboHttp, from: CidLike, to: CidLike, options: TimeoutOptions & { unpin?: boolean } = {}): Promise<string[]> {
  const query: Query = [['arg', toCid(from).toString()], ['arg', toCid(to).toString()], ['unpin', String(options.unpin ?? false)]]
  const res = await http.call('pin/update', query, options)
  const body = await res.json<{ Pins?: unknown }>()
  return Array.isArray(body?.Pins) ? body.Pins.map(String) : []
}

/** Kubo's `Type` string → pin type: prefix `recursive`/`indirect`, exactly `direct`, else `bug`. */
export function parsePinType (type: unknown): IpfsPinType {
  if (typeof type !== 'string') return 'bug'
  if (type.startsWith('recursive')) return 'recursive'
  if (type.startsWith('indirect')) return 'indirect'
  if (type === 'direct') return 'direct'
  return 'bug'
}

function entryOf (label: string, line: unknown): PinLsEntry {
  const obj = line as { Cid?: unknown, Type?: unknown } | null
  if (typeof obj !== 'object' || obj === null || typeof obj.Cid !== 'string') {
    throw new IpfsBadResponseError(label, `unexpected pin/ls line ${JSON.stringify(line)?.slice(0, 120)}`)
  }
  let cid: CID
  try {
    cid = parseCid(obj.Cid)
  } catch (err) {
    throw new IpfsBadResponseError(label, `bad CID ${JSON.stringify(obj.Cid)}: ${messageOf(err)}`, err)
  }
  return { cid, cidString: obj.Cid, type: parsePinType(obj.Type) }
}

/**
 * Every pin of the given types, streamed (`pin/ls?stream=true&type=…`, one request per type,
 * all of them — Go stops after the first). One deadline covers the whole listing. Memory
 * stays flat whatever the pinset size.
 */
export async function * pinLs (http: KuboHttp, types: readonly PinLsType[] = ['recursive', 'direct'], options: TimeoutOptions = {}): AsyncGenerator<PinLsEntry> {
  const dl = deadline(http.clock, options.timeoutMs ?? 0, `pin/ls?type=${types.join(',')}`, options.signal)
  try {
    for (const type of types) {
      const res = await http.call('pin/ls', [['stream', 'true'], ['type', type]], { signal: dl.signal })
      for await (const line of res.lines()) yield entryOf(res.label, line)
    }
  } finally {
    dl.clear()
  }
}

/** Kubo's "not pinned" answers of `pin/ls?arg=` end with `not pinned` (§2.5). */
export function isNotPinnedError (err: unknown): boolean {
  return err instanceof IpfsApiError && err.kuboMessage.endsWith('not pinned')
}

/** Kubo's `pin/rm` answer when nothing is pinned: exactly `not pinned or pinned indirectly`. */
export function isNotPinnedOrIndirectError (err: unknown): boolean {
  return err instanceof IpfsApiError && err.kuboMessage === 'not pinned or pinned indirectly'
}

/**
 * Status of one CID for a pin type (`pin/ls?stream=true&arg=<cid>&type=<type>`): the type
 * Kubo reports, or `unpinned` when Kubo says "… is not pinned". Other failures throw.
 */
export async function pinLsCid (http: KuboHttp, cid: CidLike, type: PinLsType, options: TimeoutOptions = {}): Promise<IpfsPinStatus> {
  const parsed = toCid(cid)
  let res
  try {
    res = await http.call('pin/ls', [['stream', 'true'], ['arg', parsed.toString()], ['type', type]], options)
  } catch (err) {
    if (isNotPinnedError(err)) return 'unpinned'
    throw err
  }
  let status: IpfsPinStatus = 'unpinned'
  for await (const line of res.lines()) {
    const entry = entryOf(res.label, line)
    if (sameMultihash(entry.cid, parsed)) status = entry.type
  }
  return status
}
