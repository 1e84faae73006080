import type { Entry, Snapshot } from './messages.ts'

/**
 * Entries (and possibly a snapshot) received or proposed but not yet reported durable
 * through `advance`. Entry `i` lives at `entries[i - offset]`.
 */
export class Unstable {
  snapshot: Snapshot | undefined
  entries: Entry[] = []
  offset: number

  constructor (offset: number) {
    this.offset = offset
  }

  maybeFirstIndex (): number | undefined {
    return this.snapshot !== undefined ? this.snapshot.metadata.index + 1 : undefined
  }

  maybeLastIndex (): number | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1
    if (this.snapshot !== undefined) return this.snapshot.metadata.index
    return undefined
  }

  maybeTerm (i: number): number | undefined {
    if (i < this.offset) {
      if (this.snapshot !== undefined && this.snapshot.metadata.index === i) return this.snapshot.metadata.term
      return undefined
    }
    const last = this.maybeLastIndex()
    if (last === undefined || i > last) return undefined
    return (this.entries[i - this.offset] as Entry).term
  }

  /** Entries up to `(i, t)` are durable. Ignored if the entry was replaced meanwhile. */
  stableTo (i: number, t: number): void {
    const gt = this.maybeTerm(i)
    if (gt === undefined) return
    if (gt === t && i >= this.offset) {
      this.entries = this.entries.slice(i + 1 - this.offset)
      this.offset = i + 1
    }
  }

  stableSnapTo (i: number): void {
    if (this.snapshot !== undefined && this.snapshot.metadata.index === i) this.snapshot = undefined
  }

  restore (s: Snapshot): void {
    this.offset = s.metadata.index + 1
    this.entries = []
    this.snapshot = s
  }

  truncateAndAppend (ents: readonly Entry[]): void {
    const from = (ents[0] as Entry).index
    if (from === this.offset + this.entries.length) {
      this.entries = this.entries.concat(ents)
    } else if (from <= this.offset) {
      // replaces everything unstable (and a stable suffix of the storage)
      this.offset = from
      this.entries = [...ents]
    } else {
      this.entries = this.entries.slice(0, from - this.offset).concat(ents)
    }
  }

  slice (lo: number, hi: number): Entry[] {
    return this.entries.slice(lo - this.offset, hi - this.offset)
  }
}
