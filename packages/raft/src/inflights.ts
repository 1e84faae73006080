/**
 * The window of append messages sent to one follower and not yet acknowledged, bounded
 * by count and (optionally) bytes. Each element is the last index of one message.
 */
export class Inflights {
  private readonly maxCount: number
  private readonly maxBytes: number
  private items: Array<{ index: number, bytes: number }> = []
  private head = 0
  private totalBytes = 0

  constructor (maxCount: number, maxBytes: number) {
    this.maxCount = maxCount
    this.maxBytes = maxBytes
  }

  add (index: number, bytes: number): void {
    this.items.push({ index, bytes })
    this.totalBytes += bytes
  }

  /** Frees every message whose last index is ≤ `to`. */
  freeLE (to: number): void {
    while (this.head < this.items.length) {
      const it = this.items[this.head] as { index: number, bytes: number }
      if (it.index > to) break
      this.totalBytes -= it.bytes
      this.head++
    }
    this.compactIfNeeded()
  }

  freeFirstOne (): void {
    const it = this.items[this.head]
    if (it === undefined) return
    this.totalBytes -= it.bytes
    this.head++
    this.compactIfNeeded()
  }

  full (): boolean {
    return this.count() >= this.maxCount || (this.maxBytes > 0 && this.totalBytes >= this.maxBytes)
  }

  count (): number {
    return this.items.length - this.head
  }

  bytes (): number {
    return this.totalBytes
  }

  reset (): void {
    this.items = []
    this.head = 0
    this.totalBytes = 0
  }

  private compactIfNeeded (): void {
    if (this.head === this.items.length) {
      this.items = []
      this.head = 0
    } else if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
  }
}
