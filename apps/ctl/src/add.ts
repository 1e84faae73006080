/**
 * `add`: files, folders and URLs streamed as a multipart body to `POST /add` (rest-api.md
 * §4.15), outputs printed as they arrive (ctl.md §6.4). @cluster/rest-client has no `/add`,
 * so the request is made here with node:http(s).
 */
import { createReadStream } from 'node:fs'
import { lstat, readdir, readlink, realpath } from 'node:fs/promises'
import type { IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { basename, join, resolve } from 'node:path'
import { Readable } from 'node:stream'
import { randomBytes } from 'node:crypto'
import {
  decodeAddedOutput, encodeGoQuery, errorBodyFromResponse, goQueryEscape, parseJson, parsePeerIdsLenient
} from '@cluster/api'
import type { AddedOutput } from '@cluster/api'
import { RestTransportError } from '@cluster/rest-client'
import { ApiCallError } from './api-call.ts'
import type { Action, ActionContext } from './context.ts'
import { emit } from './context.ts'
import { errorBodyOf } from './connection.ts'
import type { Target } from './connection.ts'
import { LocalCommandError } from './errors.ts'
import { toJson } from './format-json.ts'
import { formatAddedOutput } from './format-text.ts'
import { expireAt, parseMetadata } from './actions.ts'
import { waitWithProgress } from './wait.ts'
import { count, elapsed, perSecond, size, withProgress } from './progress.ts'
import { logLine } from './log.ts'

// Not an ESM import of `node:http`: see packages/rest-client/src/transport.ts.
const { request: httpRequest } = process.getBuiltinModule('node:http')

/** The query parameters Go's ctl sends for `add` (sorted when encoded). */
export function addQuery (ctx: ActionContext, paths: readonly string[]): Map<string, string> {
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
  const q = new Map<string, string>([
    ['replication-min', String(f.int('replication-min'))],
    ['replication-max', String(f.int('replication-max'))],
    ['name', f.string('name')],
    ['mode', 'recursive'],
    ['shard-size', '104857600'],
    ['user-allocations', allocs.join(',')],
    ['local', String(f.bool('local'))],
    ['recursive', String(f.bool('recursive'))],
    ['layout', f.string('layout')],
    ['chunker', f.string('chunker')],
    ['raw-leaves', String(rawLeaves)],
    ['hidden', String(f.bool('hidden'))],
    ['wrap-with-directory', String(wrap)],
    ['shard', 'false'],
    ['progress', 'false'],
    ['cid-version', String(cidVersion)],
    ['hash', hash],
    ['stream-channels', 'true'],
    ['nocopy', String(nocopy)],
    ['no-pin', String(f.bool('no-pin'))],
    ['format', format]
  ])
  if (!exp.isZero()) q.set('expire-at', exp.toJSON())
  for (const [k, v] of Object.entries(metadata)) if (k !== '') q.set(`meta-${k}`, v)
  return q
}

interface Entry {
  /** Path inside the upload (`photos/cat.jpg`). */
  name: string
  kind: 'dir' | 'file' | 'symlink' | 'url'
  /** Absolute path or URL. */
  source: string
  /** A file's size (for the progress line). */
  size?: number
}

const isUrl = (p: string): boolean => p.startsWith('http://') || p.startsWith('https://')

/** Every entry to upload, parents before children, siblings sorted by name. */
export async function collectEntries (paths: readonly string[], cwd: string, opts: { recursive: boolean, hidden: boolean, nocopy: boolean }): Promise<Entry[]> {
  const out: Entry[] = []
  const walk = async (abs: string, name: string): Promise<void> => {
    const st = await lstat(abs)
    if (st.isSymbolicLink()) { out.push({ name, kind: 'symlink', source: abs }); return }
    if (!st.isDirectory()) { out.push({ name, kind: 'file', source: abs, size: st.size }); return }
    out.push({ name, kind: 'dir', source: abs })
    const children = (await readdir(abs)).sort()
    for (const child of children) {
      if (!opts.hidden && child.startsWith('.')) continue
      await walk(join(abs, child), `${name}/${child}`)
    }
  }
  for (const p of paths) {
    if (isUrl(p)) {
      const last = new URL(p).pathname.split('/').filter((s) => s !== '').pop() ?? ''
      out.push({ name: last, kind: 'url', source: p })
      continue
    }
    if (opts.nocopy) throw new LocalCommandError('', 'nocopy option is only valid for URLs')
    const abs = resolve(cwd, p)
    let st
    try {
      st = await lstat(abs)
    } catch (err) {
      throw new LocalCommandError('', `stat ${p}: no such file or directory`, 1, { cause: err })
    }
    if (st.isDirectory() && !opts.recursive) throw new LocalCommandError('', `${p} is a directory, but Recursive option is not set`)
    const name = p === '.' || p === './' ? basename(await realpath(abs)) : basename(abs)
    await walk(abs, name)
  }
  return out
}

async function * multipartBody (entries: readonly Entry[], boundary: string, onBytes: (n: number) => void): AsyncGenerator<Buffer> {
  const head = (e: Entry, type: string, abspath: boolean): Buffer => Buffer.from(
    `--${boundary}\r\n` +
    (abspath ? `Abspath-Encoded: ${goQueryEscape(e.source)}\r\n` : '') +
    `Content-Disposition: form-data; name="file"; filename="${goQueryEscape(e.name)}"\r\n` +
    `Content-Type: ${type}\r\n\r\n`)
  for (const e of entries) {
    if (e.kind === 'dir') { yield head(e, 'application/x-directory', false); yield Buffer.from('\r\n'); continue }
    if (e.kind === 'symlink') { yield head(e, 'application/symlink', false); yield Buffer.from(await readlink(e.source) + '\r\n'); continue }
    yield head(e, 'application/octet-stream', e.kind === 'file')
    const body: AsyncIterable<Uint8Array> = e.kind === 'file'
      ? createReadStream(e.source)
      : await fetchUrl(e.source)
    for await (const chunk of body) {
      onBytes(chunk.byteLength)
      yield Buffer.from(chunk)
    }
    yield Buffer.from('\r\n')
  }
  yield Buffer.from(`--${boundary}--\r\n`)
}

async function fetchUrl (url: string): Promise<AsyncIterable<Uint8Array>> {
  const res = await fetch(url)
  if (!res.ok || res.body === null) throw new Error(`GET ${url}: ${res.status} ${res.statusText}`)
  return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>)
}

/** Sends the upload and yields each AddedOutput; errors as ApiCallError like the REST client's. */
async function * postAdd (target: Target, query: string, entries: readonly Entry[], onBytes: (n: number) => void): AsyncGenerator<AddedOutput> {
  const url = new URL(`${target.baseUrl}/add?${query}`)
  const boundary = randomBytes(30).toString('hex')
  const opts = target.options
  const headers: Record<string, string> = {
    'Content-Type': `multipart/form-data; boundary=${boundary}`,
    'User-Agent': 'Go-http-client/1.1'
  }
  if (opts.username !== undefined) headers.Authorization = 'Basic ' + Buffer.from(`${opts.username}:${opts.password ?? ''}`).toString('base64')
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = send(url, {
      method: 'POST',
      headers,
      ...(url.protocol === 'https:' ? { rejectUnauthorized: !opts.noCheckCertificate } : {}),
      ...(opts.timeout > 0 ? { timeout: opts.timeout * 1000 } : {})
    }, resolve)
    req.on('error', (err) => { reject(new RestTransportError({ code: 0, message: `POST /add?${query}: ${err.message}` }, { cause: err })) })
    req.on('timeout', () => { req.destroy(new Error(`timeout after ${opts.timeout * 1000} ms`)) })
    Readable.from(multipartBody(entries, boundary, onBytes)).on('error', (err) => { req.destroy(err) }).pipe(req)
  })
  const status = res.statusCode ?? 0
  if (status >= 400) {
    let text = ''
    for await (const chunk of res) text += (chunk as Buffer).toString('utf8')
    throw new ApiCallError(errorBodyFromResponse(status, text), 1)
  }
  let buffered = ''
  for await (const chunk of res) {
    buffered += (chunk as Buffer).toString('utf8')
    let nl: number
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trim()
      buffered = buffered.slice(nl + 1)
      if (line !== '') yield decodeAddedOutput(parseJson(line))
    }
  }
  if (buffered.trim() !== '') yield decodeAddedOutput(parseJson(buffered.trim()))
  const errors: string[] = []
  for (let i = 0; i + 1 < res.rawTrailers.length; i += 2) {
    if (res.rawTrailers[i]!.toLowerCase() === 'x-stream-error' && res.rawTrailers[i + 1] !== '') errors.push(res.rawTrailers[i + 1]!)
  }
  if (errors.length > 0) throw new ApiCallError({ code: 500, message: errors.join('; ') }, 1)
}

/** The progress line of an upload: bytes sent (of the files' total), rate, outputs the cluster returned. */
function uploadProgress (entries: readonly Entry[]): { sent: (n: number) => void, added: () => void, render: (ms: number) => string } {
  const files = entries.filter((e) => e.kind === 'file' || e.kind === 'url')
  const known = files.every((e) => e.size !== undefined)
  const total = files.reduce((sum, e) => sum + (e.size ?? 0), 0)
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
  const query = encodeGoQuery(addQuery(ctx, paths))
  let entries: Entry[]
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
      for await (const o of postAdd(target, query, entries, bar.sent)) {
        outputs.push(o)
        bar.added()
        if (!buffer) emit(c, () => formatAddedOutput(o, quiet), () => toJson.addedOutput(o))
      }
    })
  } catch (err) {
    failure = err instanceof ApiCallError ? err : new ApiCallError(errorBodyOf(err, target), 1, { cause: err })
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

