/**
 * Polls `probe` until it returns something other than `undefined` (or rejects with the last
 * failure after `ms`). For waiting on real clusters and daemons in integration tests; unit tests
 * drive injected clocks instead.
 */
export async function until<T> (probe: () => Promise<T | undefined> | T | undefined, what: string, ms = 60_000, everyMs = 150): Promise<T> {
  const deadline = Date.now() + ms
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const v = await probe()
      if (v !== undefined) return v
    } catch (err) {
      last = err
    }
    await new Promise(resolve => setTimeout(resolve, everyMs))
  }
  throw new Error(`timed out: ${what}${last === undefined ? '' : ` (last error: ${(last as Error).message})`}`)
}
