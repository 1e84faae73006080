/**
 * `--wait`: polls `GET /pins/<cid>?local=false` every second until the target status is
 * reached (Go client's WaitFor / statusReached).
 */
import type { CID, GlobalPinInfo, TrackerStatus } from '@cluster/api'
import type { Api } from './api-call.ts'
import type { CtlIo } from './io.ts'
import type { ActionContext } from './context.ts'
import { LocalCommandError } from './errors.ts'
import { count, elapsed, withProgress } from './progress.ts'

export const CHECK_FREQ_MS = 1000

/** Whether `gpi` reached `target`; throws when a peer reports an error status. */
export function statusReached (target: TrackerStatus, gpi: GlobalPinInfo, limit: number): boolean {
  const infos = Object.values(gpi.peerMap ?? {})
  for (const pi of infos) {
    if (pi.status === 'undefined' || pi.status === 'cluster_error' || pi.status === 'pin_error' || pi.status === 'unpin_error') {
      throw new Error(`error has occurred while attempting to reach status: ${target}`)
    }
  }
  const effective = Math.min(limit, infos.length)
  if (effective > 0) return infos.filter((pi) => pi.status === target).length >= effective
  return infos.every((pi) => pi.status === target || (pi.status === 'remote' && target === 'pinned'))
}

/**
 * Waits for `cid` to reach `target`. `timeoutNs` ≤ 1 s means forever. Failures are
 * `error waiting for pin status: …` (exit 62 on the deadline, 1 otherwise).
 */
export async function waitFor (api: Api, io: CtlIo, cid: CID, target: TrackerStatus, timeoutNs: bigint, limit: number, onStatus?: (gpi: GlobalPinInfo) => void): Promise<GlobalPinInfo> {
  const controller = new AbortController()
  const timeoutMs = Number(timeoutNs / 1_000_000n)
  let timer: NodeJS.Timeout | undefined
  if (timeoutMs > CHECK_FREQ_MS) timer = setTimeout(() => { controller.abort(new Error('context deadline exceeded')) }, timeoutMs)
  const fail = (detail: string, code = 1): LocalCommandError => new LocalCommandError('waiting for pin status', detail, code)
  try {
    for (;;) {
      try {
        await io.sleep(CHECK_FREQ_MS, controller.signal)
      } catch {
        throw fail('context deadline exceeded', 62)
      }
      let gpi: GlobalPinInfo
      try {
        gpi = await api.call((c) => c.status(cid, { local: false, signal: controller.signal }))
      } catch (err) {
        if (controller.signal.aborted) throw fail('context deadline exceeded', 62)
        throw fail((err as Error).message)
      }
      onStatus?.(gpi)
      let done: boolean
      try {
        done = statusReached(target, gpi, limit)
      } catch (err) {
        throw fail((err as Error).message)
      }
      if (done) return gpi
    }
  } finally {
    if (timer !== undefined) clearTimeout(timer)
  }
}

/**
 * `waitFor` with `<command>: N of M peers pinned` on the progress line: M counts the peers the
 * pin is allocated to (not those that only track it as `remote`), `need K` the wait limit.
 */
export async function waitWithProgress (ctx: ActionContext, what: string, cid: CID, target: TrackerStatus, timeoutNs: bigint, limit: number): Promise<GlobalPinInfo> {
  let last: GlobalPinInfo | undefined
  const render = (ms: number): string => {
    if (last === undefined) return `${what}: waiting for ${target} (${elapsed(ms)})`
    const infos = Object.values(last.peerMap ?? {})
    const allocated = target === 'pinned' ? infos.filter((pi) => pi.status !== 'remote').length : infos.length
    const done = infos.filter((pi) => pi.status === target).length
    const need = Math.min(limit, infos.length)
    return `${what}: ${count(done)} of ${count(allocated)} peers ${target}${need > 0 && need < allocated ? ` (need ${count(need)})` : ''} (${elapsed(ms)})`
  }
  return await withProgress(ctx, render, async (c) =>
    await waitFor(c.api, c.io, cid, target, timeoutNs, limit, (gpi) => { last = gpi }))
}
