// How long and how hard each scenario runs: the full campaign (`pnpm chaos`) or the small one
// (`--small`, run by the test suite).
export interface Mode {
  name: 'full' | 'small'
  /** Concurrent pinning clients. */
  clients: number
  /** Load before the fault. */
  warmMs: number
  /** How long a fault lasts (peers down, partition). */
  holdMs: number
  /** How long the leader stays stopped (SIGSTOP). */
  pauseMs: number
  /** Load after the recovery. */
  tailMs: number
  /** Entries committed while a follower is away (catch-up scenario). */
  catchUpPins: number
  /** Longest wait for those entries. */
  catchUpMs: number
  /** Bound on the pins one scenario issues (other than catch-up). */
  maxPins: number
  /** Blocks put into the real Kubos for the Kubo scenarios: enough for the load to outlast the fault. */
  kuboBlocks: number
  /** Long enough to see a stalled write complete (as a patient client would). */
  requestTimeoutMs: number
  /** Cluster start, and a restarted peer's REST API coming back. */
  startMs: number
  restartMs: number
  /** Longest wait for every peer to list every acknowledged pin and agree on the pinset. */
  settleMs: number
}

export const FULL: Mode = {
  name: 'full',
  clients: 16,
  warmMs: 5_000,
  holdMs: 10_000,
  pauseMs: 20_000,
  tailMs: 10_000,
  catchUpPins: 100_000,
  catchUpMs: 420_000,
  maxPins: 30_000,
  kuboBlocks: 24_000,
  requestTimeoutMs: 30_000,
  startMs: 90_000,
  restartMs: 60_000,
  settleMs: 60_000
}

export const SMALL: Mode = {
  name: 'small',
  clients: 16,
  warmMs: 1_000,
  holdMs: 2_500,
  pauseMs: 4_000,
  tailMs: 1_500,
  catchUpPins: 4_000,
  catchUpMs: 30_000,
  maxPins: 5_000,
  kuboBlocks: 4_000,
  requestTimeoutMs: 20_000,
  startMs: 60_000,
  restartMs: 20_000,
  settleMs: 8_000
}
