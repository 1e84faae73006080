/**
 * A bounded FIFO queue (Go's buffered channel): O(1) push and shift, memory grows with the
 * content, not with the capacity.
 */
export class BoundedQueue<T> {
  readonly capacity: number
  #items: Array<T | undefined> = []
  #head = 0

  constructor (capacity: number) {
    this.capacity = capacity
  }

  get length (): number {
    return this.#items.length - this.#head
  }

  /** Appends; false (nothing added) when full. */
  push (item: T): boolean {
    if (this.length >= this.capacity) return false
    this.#items.push(item)
    return true
  }

  /** Removes and returns the oldest item. */
  shift (): T | undefined {
    if (this.#head >= this.#items.length) return undefined
    const item = this.#items[this.#head]
    this.#items[this.#head] = undefined
    this.#head++
    if (this.#head === this.#items.length) {
      this.#items = []
      this.#head = 0
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
    return item
  }

  clear (): void {
    this.#items = []
    this.#head = 0
  }
}
