/** `repo/stat` and `repo/gc` (proxy.md §3.6, §3.7): cluster-wide. */
import type { HandlerContext, PeerRepoStat } from '../context.ts'
import { endStream, sendJson, startStream, writeLine } from '../respond.ts'

const UINT64_MAX = (1n << 64n) - 1n

/** Sums as bigint, clamped at 2^64−1 (Go's unsigned sum wraps around: fixed). */
export function sumRepoStats (stats: PeerRepoStat[]): PeerRepoStat {
  let repoSize = 0n
  let storageMax = 0n
  for (const s of stats) {
    repoSize += s.repoSize
    storageMax += s.storageMax
  }
  return { repoSize: repoSize > UINT64_MAX ? UINT64_MAX : repoSize, storageMax: storageMax > UINT64_MAX ? UINT64_MAX : storageMax }
}

export async function repoStat (ctx: HandlerContext): Promise<void> {
  const results = await ctx.repoStats({ signal: ctx.signal })
  const ok: PeerRepoStat[] = []
  for (const r of results) {
    if (r instanceof Error) ctx.log('warn', `repo/stat: skipping a peer: ${r.message}`)
    else ok.push(r)
  }
  const sum = sumRepoStats(ok)
  // Written by hand: the numbers may exceed 2^53 and must stay exact.
  sendJson(ctx.res, `{"RepoSize":${sum.repoSize.toString()},"StorageMax":${sum.storageMax.toString()}}`)
}

export async function repoGc (ctx: HandlerContext): Promise<void> {
  const streamErrors = ctx.query.get('stream-errors') === 'true'
  ctx.res.setHeader('Trailer', 'X-Stream-Error')
  const result = await ctx.cluster.repoGc({ signal: ctx.signal })
  startStream(ctx.res)
  let errors = ''
  let broken = ''
  try {
    for (const [peer, gc] of Object.entries(result.peerMap ?? {})) {
      if (gc.error !== '') {
        // A peer-level failure (Go drops it): reported like a per-key error.
        if (streamErrors) await writeLine(ctx.res, JSON.stringify({ Key: null, Error: `${peer}: ${gc.error}` }))
        else errors += `${peer}: ${gc.error}; `
      }
      for (const key of gc.keys ?? []) {
        const link = key.key === undefined ? null : { '/': key.key.toString() }
        if (key.error === '') await writeLine(ctx.res, JSON.stringify({ Key: link }))
        else if (streamErrors) await writeLine(ctx.res, JSON.stringify({ Key: link, Error: key.error }))
        else errors += `${key.error}; ` // Go quirk fixed: no `{"Key":null}` line, the trailer only.
      }
    }
  } catch (err) {
    broken = (err as Error).message
  }
  endStream(ctx.res, broken !== '' ? broken : errors)
}
