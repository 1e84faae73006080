/**
 * The actions behind each command except `add` (ctl.md §6): argument checks with Go's error
 * texts, the REST calls, and the printing.
 */
import {
  defaultPinOptions, encodeBandwidthByProtocol, parseCid, parseDuration, parsePeerId, parseTrackerStatusFilter,
  PIN_TYPE_BITS, Timestamp
} from '@cluster/api'
import type { CID, GlobalPinInfo, Pin, PinOptions, TrackerStatus, TrackerStatusFilter } from '@cluster/api'
import { ApiCallError } from './api-call.ts'
import type { Action, ActionContext } from './context.ts'
import { emit, emitStream } from './context.ts'
import { LocalCommandError } from './errors.ts'
import { toJson, jsonText } from './format-json.ts'
import {
  formatAlert, formatBandwidth, formatGlobalPinInfo, formatGlobalRepoGc, formatId, formatMetric, formatMetricNames,
  formatPin, formatVersion
} from './format-text.ts'
import { makeDot } from './graph.ts'
import { toIpfsPath } from './ipfs-path.ts'
import { logLine } from './log.ts'
import { waitWithProgress } from './wait.ts'
import { reportCursor, searchOf } from './search.ts'
import { batchSource, runBatch } from './batch.ts'
import { rebalance } from './rebalance.ts'
import { countedStream } from './progress.ts'

const message = (err: unknown): string => (err as Error).message

function decodeCid (text: string, doing: string): CID {
  try {
    return parseCid(text)
  } catch (err) {
    throw new LocalCommandError(doing, message(err), 1, { cause: err })
  }
}

/** Go's client fails on a bad path before sending anything (and logs that it is not an API error). */
function ipfsPath (ctx: ActionContext, arg: string): string {
  try {
    return toIpfsPath(arg)
  } catch (err) {
    logLine(ctx.io, 'ERROR', 'apiclient', 'client/lbclient.go:97', 'could not cast error into api.Error')
    throw new LocalCommandError('', message(err), 1, { cause: err })
  }
}

/** `--metadata k=v` (repeatable). */
export function parseMetadata (entries: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const e of entries) {
    const eq = e.indexOf('=')
    if (eq < 0) throw new LocalCommandError('parsing metadata', 'metadata were not in the format key=value')
    out[e.slice(0, eq)] = e.slice(eq + 1)
  }
  return out
}

/** `--expire-in` → an absolute time (now + duration), or Go's zero time. */
export function expireAt (ctx: ActionContext): Timestamp {
  const text = ctx.flags.string('expire-in')
  if (text === '') return Timestamp.ZERO
  let d: bigint
  try {
    d = parseDuration(text)
  } catch (err) {
    throw new LocalCommandError('parsing expire-in', message(err), 1, { cause: err })
  }
  return Timestamp.fromUnixNanos(ctx.io.now(), 'local').add(d)
}

const printGpi = (ctx: ActionContext, gpi: GlobalPinInfo): void => {
  emit(ctx, () => formatGlobalPinInfo(gpi), () => toJson.globalPinInfo(gpi))
}

const printPin = (ctx: ActionContext, pin: Pin): void => {
  emit(ctx, () => formatPin(pin), () => toJson.pin(pin))
}

/** After pin/unpin/update: the pin itself (`--no-status`), the waited status, or the status 1 s later. */
async function afterPin (ctx: ActionContext, pin: Pin, target: TrackerStatus): Promise<void> {
  if (ctx.flags.bool('no-status')) {
    emit(ctx, () => formatPin(pin), () => toJson.pin(pin))
    return
  }
  if (ctx.flags.bool('wait')) {
    let limit = target === 'pinned' ? pin.replicationFactorMin : 0
    const l = ctx.flags.int('wait-limit')
    if (l > 0) limit = l
    const what = target === 'pinned' ? 'pin add --wait' : 'pin rm --wait'
    const gpi = await waitWithProgress(ctx, what, pin.cid, target, ctx.flags.duration('wait-timeout'), limit)
    printGpi(ctx, gpi)
    return
  }
  await ctx.io.sleep(1000)
  printGpi(ctx, await ctx.api.call((c) => c.status(pin.cid, { local: false })))
}

const id: Action = async (ctx) => {
  const v = await ctx.api.call((c) => c.id())
  emit(ctx, () => formatId(v), () => toJson.id(v))
}

const peersLs: Action = async (ctx) => {
  await emitStream(ctx, ctx.api.stream((c) => c.peers()), formatId, toJson.id)
}

const peersRm: Action = async (ctx) => {
  let peer
  try {
    peer = parsePeerId(ctx.args[0] ?? '')
  } catch (err) {
    throw new LocalCommandError('parsing peer ID', message(err), 1, { cause: err })
  }
  await ctx.api.call((c) => c.peerRemove(peer))
}

const pinAdd: Action = async (ctx) => {
  const f = ctx.flags
  const rpl = f.int('replication')
  let min = f.int('replication-min')
  let max = f.int('replication-max')
  if (rpl !== 0) { min = rpl; max = rpl }
  let userAllocations: PinOptions['userAllocations'] = null
  const allocs = f.string('allocations')
  if (allocs !== '') {
    try {
      userAllocations = allocs.split(',').map((s) => parsePeerId(s.trim()))
    } catch (err) {
      throw new LocalCommandError('decoding allocations', 'some peer IDs could not be decoded', 1, { cause: err })
    }
  }
  const exp = expireAt(ctx)
  const metadata = parseMetadata(f.slice('metadata'))
  const options: PinOptions = {
    ...defaultPinOptions(),
    replicationFactorMin: min,
    replicationFactorMax: max,
    name: f.string('name'),
    mode: f.string('mode') === 'direct' ? 'direct' : 'recursive',
    userAllocations,
    expireAt: exp,
    metadata
  }
  const source = batchSource(ctx)
  if (source !== undefined) { await runBatch(ctx, source, 'pin', options); return }
  const path = ipfsPath(ctx, ctx.args[0] ?? '')
  const pin = await ctx.api.call((c) => c.pinPath(path, options))
  await afterPin(ctx, pin, 'pinned')
}

const pinRm: Action = async (ctx) => {
  const source = batchSource(ctx)
  if (source !== undefined) { await runBatch(ctx, source, 'unpin'); return }
  const path = ipfsPath(ctx, ctx.args[0] ?? '')
  const pin = await ctx.api.call((c) => c.unpinPath(path))
  await afterPin(ctx, pin, 'unpinned')
}

const pinUpdate: Action = async (ctx) => {
  const from = decodeCid(ctx.args[0] ?? '', 'parsing from Cid')
  const options: PinOptions = { ...defaultPinOptions(), name: ctx.flags.string('name'), expireAt: expireAt(ctx), pinUpdate: from }
  const path = ipfsPath(ctx, ctx.args[1] ?? '')
  const pin = await ctx.api.call((c) => c.pinPath(path, options))
  await afterPin(ctx, pin, 'pinned')
}

/** Go's PinTypeFromString OR-ed over the comma-separated `--filter` (unknown names → "bad"). */
export function pinTypeFilter (text: string): number {
  let filter = 0
  for (const name of text.split(',')) {
    switch (name) {
      case 'all': filter |= PIN_TYPE_BITS.all; break
      case 'pin': case 'meta-pin': case 'clusterdag-pin': case 'shard-pin': filter |= PIN_TYPE_BITS[name]; break
      default: filter |= PIN_TYPE_BITS['bad-type']
    }
  }
  return filter
}

const pinLs: Action = async (ctx) => {
  const arg = ctx.args[0] ?? ''
  const search = searchOf(ctx)
  if (search !== undefined && arg !== '') throw new LocalCommandError('parsing flags', 'search flags cannot be combined with a CID')
  if (arg !== '') {
    const cid = decodeCid(arg, 'parsing cid')
    const pin = await ctx.api.call((c) => c.allocation(cid))
    printPin(ctx, pin)
    return
  }
  const filter = pinTypeFilter(ctx.flags.string('filter'))
  if (search !== undefined) {
    let next: string | undefined
    await countedStream(ctx, 'pin ls', ctx.api.stream((c) => c.searchAllocations(search, filter, { onCursor: (n) => { next = n } })), printPin)
    reportCursor(ctx, next)
    return
  }
  await countedStream(ctx, 'pin ls', ctx.api.stream((c) => c.allocations(filter)), printPin)
}

/** The zero GlobalPinInfo Go prints before the error of a failed single-CID status. */
function zeroGpiText (ctx: ActionContext): string {
  return ctx.enc === 'json'
    ? jsonText({ cid: null, name: '', allocations: null, origins: null, created: '0001-01-01T00:00:00Z', metadata: null, peer_map: null })
    : 'b:\n'
}

const status: Action = async (ctx) => {
  const cids = ctx.args.map((a) => decodeCid(a, 'parsing cid'))
  const local = ctx.flags.bool('local')
  const search = searchOf(ctx)
  if (search !== undefined && cids.length > 0) throw new LocalCommandError('parsing flags', 'search flags cannot be combined with CIDs')
  if (cids.length === 1) {
    try {
      printGpi(ctx, await ctx.api.call((c) => c.status(cids[0]!, { local })))
    } catch (err) {
      if (err instanceof ApiCallError) ctx.io.stdout(zeroGpiText(ctx))
      throw err
    }
    return
  }
  let filter: TrackerStatusFilter = 0
  if (cids.length === 0) {
    const text = ctx.flags.string('filter')
    try {
      filter = parseTrackerStatusFilter(text)
    } catch {
      throw new LocalCommandError('parsing filter flag', 'invalid filter name')
    }
  }
  if (search !== undefined) {
    let next: string | undefined
    await countedStream(ctx, 'status', ctx.api.stream((c) => c.searchStatus(search, filter, { local, onCursor: (n) => { next = n } })), printGpi)
    reportCursor(ctx, next)
    return
  }
  await countedStream(ctx, 'status', ctx.api.stream((c) => c.statusAll(filter, { local, cids })), printGpi)
}

const recover: Action = async (ctx) => {
  const local = ctx.flags.bool('local')
  const arg = ctx.args[0] ?? ''
  if (arg !== '') {
    const cid = decodeCid(arg, 'parsing cid')
    printGpi(ctx, await ctx.api.call((c) => c.recover(cid, { local })))
    return
  }
  await countedStream(ctx, 'recover', ctx.api.stream((c) => c.recoverAll({ local })), printGpi)
}

const version: Action = async (ctx) => {
  const v = await ctx.api.call((c) => c.version())
  emit(ctx, () => formatVersion(v), () => toJson.version(v))
}

const FS_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory', EACCES: 'permission denied', EISDIR: 'is a directory', ENOTDIR: 'not a directory'
}

const healthGraph: Action = async (ctx) => {
  const graph = await ctx.api.call((c) => c.connectGraph())
  const dot = makeDot(graph, ctx.flags.bool('all-ipfs-peers'))
  const file = ctx.flags.string('file')
  if (file === '') {
    ctx.io.stdout(dot)
    return
  }
  let out
  try {
    out = await ctx.io.openFile(file)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? ''
    throw new LocalCommandError('creating output file', `open ${file}: ${FS_ERRORS[code] ?? message(err)}`, 1, { cause: err })
  }
  out.write(dot)
  await out.close()
}

const healthMetrics: Action = async (ctx) => {
  const name = ctx.args[0] ?? ''
  if (name === '') {
    const names = await ctx.api.call((c) => c.metricNames())
    emit(ctx, () => formatMetricNames(names), () => toJson.strings(names))
    return
  }
  const metrics = await ctx.api.call((c) => c.metrics(name))
  const now = ctx.io.now()
  emit(ctx, () => metrics.map((m) => formatMetric(m, now)).join(''), () => toJson.metrics(metrics))
}

const healthAlerts: Action = async (ctx) => {
  const alerts = await ctx.api.call((c) => c.alerts())
  const now = ctx.io.now()
  emit(ctx, () => alerts.map((a) => formatAlert(a, now)).join(''), () => toJson.alerts(alerts))
}

const healthBandwidth: Action = async (ctx) => {
  const bw = await ctx.api.call((c) => c.bandwidth())
  emit(ctx, () => formatBandwidth(bw), () => jsonText(encodeBandwidthByProtocol(bw)))
}

const ipfsGc: Action = async (ctx) => {
  const gc = await ctx.api.call((c) => c.repoGc({ local: ctx.flags.bool('local') }))
  emit(ctx, () => formatGlobalRepoGc(gc), () => toJson.globalRepoGc(gc))
}

/** Actions by command path. */
export const ACTIONS: Record<string, Action> = {
  id,
  'peers ls': peersLs,
  'peers rm': peersRm,
  'pin add': pinAdd,
  'pin rm': pinRm,
  'pin update': pinUpdate,
  'pin ls': pinLs,
  status,
  recover,
  version,
  'health graph': healthGraph,
  'health metrics': healthMetrics,
  'health alerts': healthAlerts,
  'health bandwidth': healthBandwidth,
  'ipfs gc': ipfsGc,
  rebalance
}
