/**
 * `add`: files, folders and URLs streamed as a multipart body to `POST /add` (rest-api.md
 * §4.15) through the target's RestClient (its auth, TLS and timeout), outputs printed as they
 * arrive (ctl.md §6.4). This file walks the paths as Go's ctl does; the upload is the client's.
 */
import { basename, join, resolve } from 'node:path'
import { defaultPinOptions, parsePeerIdsLenient } from '@cluster/api'
import type { AddedOutput, AddFormat, AddLayout, AddParams } from '@cluster/api'
import { multipartUpload } from '@cluster/rest-client'
import type { UploadEntry } from '@cluster/rest-client'
import { ApiCallError } from './api-call.ts'
import type { Action, ActionContext } from './context.ts'
import { emit } from './context.ts'
import { errorBodyOf } from './connection.ts'
import { LocalCommandError } from './errors.ts'
import { toJson } from './format-json.ts'
import { formatAddedOutput } from './format-text.ts'
import { expireAt, parseMetadata } from './actions.ts'
import { waitWithProgress } from './wait.ts'
import { count, elapsed, perSecond, size, withProgress } from './progress.ts'
import { logLine } from './log.ts'

/** node:fs/promises, loaded on first use (a short command that adds nothing starts faster). */
const fsp = (): typeof import('node:fs/promises') => process.getBuiltinModule('node:fs/promises')

/** Go's ctl default `--shard-size` (sent although sharding is off). */
const SHARD_SIZE = 104857600

/** The parameters Go's ctl sends for `add` (its flag checks, in its order). */
function addParams (ctx: ActionContext, paths: readonly string[]): AddParams {
  const f = ctx.flags
  const exp = expireAt(ctx)
  const metadata = parseMetadata(f.slice('metadata'))
  const wrap = f.bool('wrap-with-directory') || paths.length > 1
  let cidVersion = f.int('cid-version')
  const hash = f.string('hash')
  if (hash !== 'sha2-256') cidVersion = 1
  let rawLeaves = f.bool('raw-leaves')
  if (cidVersion > 0) rawLeaves = true
  const nocopy = f.bool('nocopy')
  if (nocopy) rawLeaves = true
  const format = f.string('format')
  if (format === 'car' && wrap) {
    throw new LocalCommandError('', 'only a single CAR file can be added and wrap-with-directory is not supported')
  }
  const allocs = f.isSet('allocations') ? parsePeerIdsLenient(f.string('allocations').split(',')) : []
  return {
    pinOptions: {
      ...defaultPinOptions(),
      replicationFactorMin: f.int('replication-min'),
      replicationFactorMax: f.int('replication-max'),
      name: f.string('name'),
      shardSize: SHARD_SIZE,
      userAllocations: allocs,
      expireAt: exp,
      metadata
    },
    local: f.bool('local'),
    recursive: f.bool('recursive'),
    hidden: f.bool('hidden'),
    wrap,
    shard: false,
    streamChannels: true,
    // Sent as given (Go's ctl does not check them; the server answers 400).
    format: format as AddFormat,
    layout: f.string('layout') as AddLayout,
    chunker: f.string('chunker'),
    hashFunction: hash,
    cidVersion,
    rawLeaves,
    progress: false,
    noCopy: nocopy,
    noPin: f.bool('no-pin')
  }
}

const isUrl = (p: string): boolean => p.startsWith('http://') || p.startsWith('https://')

/** Every entry to upload, parents before children, siblings sorted by name. */
async function collectEntries (paths: readonly string[], cwd: string, opts: { recursive: boolean, hidden: boolean, nocopy: boolean }): Promise<UploadEntry[]> {
  const out: UploadEntry[] = []
  const walk = async (abs: string, name: string): Promise<void> => {
    const st = await fsp().lstat(abs)
    if (st.isSymbolicLink()) { out.push({ name, kind: 'symlink', path: abs }); return }
    if (!st.isDirectory()) { out.push({ name, kind: 'file', path: abs, size: st.size }); return }
    out.push({ name, kind: 'dir' })
    const children = (await fsp().readdir(abs)).sort()
    for (const child of children) {
      if (!opts.hidden && child.startsWith('.')) continue
      await walk(join(abs, child), `${name}/${child}`)
    }
  }
  for (const p of paths) {
    if (isUrl(p)) {
      const last = new URL(p).pathname.split('/').filter((s) => s !== '').pop() ?? ''
      out.push({ name: last, kind: 'url', url: p })
      continue
    }
    if (opts.nocopy) throw new LocalCommandError('', 'nocopy option is only valid for URLs')
    const abs = resolve(cwd, p)
    let st
    try {
      st = await fsp().lstat(abs)
    } catch (err) {
      throw new LocalCommandError('', `stat ${p}: no such file or directory`, 1, { cause: err })
    }
    if (st.isDirectory() && !opts.recursive) throw new LocalCommandError('', `${p} is a directory, but Recursive option is not set`)
    const name = p === '.' || p === './' ? basename(await fsp().realpath(abs)) : basename(abs)
    await walk(abs, name)
  }
  return out
}

/** The progress line of an upload: bytes sent (of the files' total), rate, outputs the cluster returned. */
function uploadProgress (entries: readonly UploadEntry[]): { sent: (n: number) => void, added: () => void, render: (ms: number) => string } {
  const sizes = entries.filter((e) => e.kind !== 'dir' && e.kind !== 'symlink').map((e) => e.kind === 'file' ? e.size : undefined)
  const known = sizes.every((n) => n !== undefined)
  const total = sizes.reduce<number>((sum, n) => sum + (n ?? 0), 0)
  let bytes = 0
  let outputs = 0
  return {
    sent: (n) => { bytes += n },
    added: () => { outputs++ },
    render: (ms) => {
      const pct = known && total > 0 ? ` of ${size(total)} (${Math.floor(bytes * 100 / total)}%)` : ''
      return `add: ${size(bytes)}${pct} sent, ${size(perSecond(bytes, ms))}/s, ${count(outputs)} added (${elapsed(ms)})`
    }
  }
}

export const add: Action = async (ctx) => {
  const paths = ctx.args
  if (paths.length === 0) throw new LocalCommandError('', 'need at least one path')
  const f = ctx.flags
  const params = addParams(ctx, paths)
  let entries: UploadEntry[]
  try {
    entries = await collectEntries(paths, ctx.io.cwd, { recursive: f.bool('recursive'), hidden: f.bool('hidden'), nocopy: f.bool('nocopy') })
  } catch (err) {
    // Go's client fails inside its request loop, which logs that this is not an API error.
    logLine(ctx.io, 'ERROR', 'apiclient', 'client/lbclient.go:97', 'could not cast error into api.Error')
    throw err
  }
  const quiet = f.bool('quiet') || f.bool('quieter')
  const buffer = f.bool('no-stream') || f.bool('quieter')
  const outputs: AddedOutput[] = []
  const bar = uploadProgress(entries)
  const target = ctx.api.targets[0]!
  let failure: unknown
  try {
    await withProgress(ctx, bar.render, async (c) => {
      // Only the first target: the upload is a one-shot stream, it cannot be sent again elsewhere.
      for await (const o of target.client.add(multipartUpload(entries, { onBytes: bar.sent }), params)) {
        outputs.push(o)
        bar.added()
        if (!buffer) emit(c, () => formatAddedOutput(o, quiet), () => toJson.addedOutput(o))
      }
    })
  } catch (err) {
    failure = new ApiCallError(errorBodyOf(err, target), 1, { cause: err })
  }
  if (buffer) {
    const shown = f.bool('quieter') ? outputs.slice(-1) : outputs
    if (f.bool('no-stream')) emit(ctx, () => shown.map((o) => formatAddedOutput(o, quiet)).join(''), () => toJson.addedOutputs(shown))
    else if (shown[0] !== undefined) emit(ctx, () => formatAddedOutput(shown[0]!, true), () => toJson.addedOutput(shown[0]!))
  }
  if (failure !== undefined) throw failure
  const root = outputs[outputs.length - 1]?.cid
  if (f.bool('wait') && root !== undefined) {
    let rmin = f.int('replication-min')
    try {
      rmin = (await ctx.api.call((c) => c.allocation(root))).replicationFactorMin
    } catch {
      // Go falls back to the --rmin value.
    }
    await waitWithProgress(ctx, 'add --wait', root, 'pinned', f.duration('wait-timeout'), rmin)
  }
}

