/**
 * The delay before the next rebroadcast, as go-ds-crdt randomizes it: the interval ± 30 %,
 * uniform (`random` returns [0, 1)). The caller owns the timer; repair runs at start and every
 * repair_interval after, when the store is dirty.
 */
export function rebroadcastDelay (intervalMs: number, random: () => number = Math.random): number {
  if (!(intervalMs > 0)) throw new RangeError('the rebroadcast interval must be positive')
  const leeway = Math.floor(intervalMs * 30 / 100)
  if (leeway === 0) return intervalMs
  return intervalMs + Math.floor(random() * leeway * 2) - leeway
}
