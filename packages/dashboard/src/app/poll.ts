/**
 * Live data by polling: one request in flight at a time, the next one `intervalMs` after the
 * previous answer, nothing while the tab is hidden (resumed at once when it shows again).
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { messageOf } from './api.ts'

export const POLL_MS = 3_000

export interface Polled<T> {
  data: T | undefined
  error: string | undefined
  loading: boolean
  /** Fetch now (after an action), without waiting for the next turn. */
  refresh: () => void
}

export function usePoll<T> (load: (signal: AbortSignal) => Promise<T>, deps: unknown[], intervalMs = POLL_MS): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const [loading, setLoading] = useState(true)
  const kick = useRef<() => void>(() => {})

  useEffect(() => {
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    let inFlight: AbortController | undefined
    setLoading(true)
    setData(undefined)
    const run = async (): Promise<void> => {
      if (stopped || inFlight !== undefined) return
      clearTimeout(timer)
      if (document.hidden) return
      const ctl = new AbortController()
      inFlight = ctl
      try {
        const value = await load(ctl.signal)
        if (!stopped) { setData(value); setError(undefined) }
      } catch (err) {
        if (!stopped && (err as Error).name !== 'AbortError') setError(messageOf(err))
      } finally {
        inFlight = undefined
        if (!stopped) {
          setLoading(false)
          timer = setTimeout(() => { void run() }, intervalMs)
        }
      }
    }
    const onVisibility = (): void => { if (!document.hidden) void run() }
    kick.current = () => { void run() }
    document.addEventListener('visibilitychange', onVisibility)
    void run()
    return () => {
      stopped = true
      clearTimeout(timer)
      inFlight?.abort()
      document.removeEventListener('visibilitychange', onVisibility)
    }
  }, deps)

  const refresh = useCallback(() => { kick.current() }, [])
  return { data, error, loading, refresh }
}
