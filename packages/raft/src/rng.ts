/**
 * The only source of randomness of the core (election timeout jitter). Inject a seeded
 * generator for reproducible runs; a driver may wrap `crypto.getRandomValues`.
 */
export interface Rng {
  /** A uniformly distributed integer in `[0, n)`. */
  intn: (n: number) => number
}

/** A small, fast, seeded PRNG (mulberry32). Deterministic for a given seed. */
export class SeededRng implements Rng {
  private state: number

  constructor (seed: number) {
    this.state = (seed >>> 0) ^ 0x9e3779b9
  }

  /** A float in `[0, 1)`. */
  next (): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  intn (n: number): number {
    return Math.floor(this.next() * n)
  }

  /** True with probability `p`. */
  chance (p: number): boolean {
    return this.next() < p
  }

  pick<T> (items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list')
    return items[this.intn(items.length)] as T
  }
}
