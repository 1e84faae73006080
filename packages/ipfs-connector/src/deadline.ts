import type { Clock, TimerHandle } from '@cluster/api'
import { IpfsAbortedError, IpfsConnectorError, IpfsTimeoutError } from './errors.ts'

/** A signal that aborts on the caller's signal or when `timeoutMs` passes (0 = never). */
export interface Deadline {
  signal: AbortSignal
  /** Stop the timer and unlink from the caller's signal. Idempotent. */
  clear: () => void
}

/**
 * Combine a caller signal with a deadline measured on `clock`. The abort reason is always an
 * {@link IpfsConnectorError}: {@link IpfsTimeoutError} for the deadline, the caller's reason
 * when it already is one, else {@link IpfsAbortedError} wrapping it.
 */
export function deadline (clock: Clock, timeoutMs: number, label: string, signal?: AbortSignal): Deadline {
  const ac = new AbortController()
  let timer: TimerHandle | undefined
  const onAbort = (): void => {
    const reason: unknown = signal?.reason
    ac.abort(reason instanceof IpfsConnectorError ? reason : new IpfsAbortedError(label, reason))
  }
  const clear = (): void => {
    signal?.removeEventListener('abort', onAbort)
    if (timer !== undefined) clock.clearTimeout(timer)
    timer = undefined
  }
  if (signal?.aborted === true) onAbort()
  else signal?.addEventListener('abort', onAbort, { once: true })
  if (timeoutMs > 0 && !ac.signal.aborted) {
    timer = clock.setTimeout(() => { ac.abort(new IpfsTimeoutError(label, timeoutMs)) }, timeoutMs)
  }
  return { signal: ac.signal, clear }
}
