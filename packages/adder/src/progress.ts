/**
 * Progress entries (`{name, cid: undefined, bytes}`) as Kubo's progressReader emits them: every
 * 256 KiB read from a file and at its EOF, interleaved live with the add's other outputs.
 */
import type { AddedNode } from './types.ts'

/** Kubo's progressReaderIncrement. */
export const PROGRESS_INCREMENT = 262_144

export class ProgressFeed {
  private items: AddedNode[] = []
  private wake: (() => void) | undefined
  private waiting: Promise<void> | undefined

  push (name: string, bytes: number): void {
    this.items.push({ name, cid: undefined, bytes, size: 0 })
    const wake = this.wake
    this.wake = undefined
    this.waiting = undefined
    wake?.()
  }

  take (): AddedNode[] {
    const items = this.items
    this.items = []
    return items
  }

  /** Resolves at the next push. */
  async wait (): Promise<void> {
    this.waiting ??= new Promise<void>(resolve => { this.wake = resolve })
    await this.waiting
  }
}

/** Passes a file's bytes through, reporting progress to `feed` (when given). */
export async function * countBytes (source: AsyncIterable<Uint8Array>, name: string, feed: ProgressFeed | undefined): AsyncGenerator<Uint8Array> {
  let bytes = 0
  let reported = 0
  for await (const chunk of source) {
    bytes += chunk.byteLength
    if (feed !== undefined && bytes - reported >= PROGRESS_INCREMENT) {
      reported = bytes
      feed.push(name, bytes)
    }
    yield chunk
  }
  // Kubo also reports at EOF; an empty file has no progress to report (bytes would be omitted).
  if (feed !== undefined && bytes > 0) feed.push(name, bytes)
}

const PROGRESS: unique symbol = Symbol('progress')

/**
 * Yields `source`'s outputs with the feed's progress entries interleaved as they happen (a
 * file's progress entries always come before the file's own output).
 */
export async function * withProgress (source: AsyncIterator<AddedNode>, feed: ProgressFeed): AsyncGenerator<AddedNode> {
  let pending: Promise<IteratorResult<AddedNode>> | undefined
  try {
    for (;;) {
      pending ??= source.next()
      const result: IteratorResult<AddedNode> | typeof PROGRESS = await Promise.race([pending, feed.wait().then((): typeof PROGRESS => PROGRESS)])
      yield * feed.take()
      if (result === PROGRESS) continue
      pending = undefined
      if (result.done === true) return
      yield result.value
    }
  } finally {
    // Abandoned mid-step: the caller closes the upload, which makes the pending step settle.
    if (pending !== undefined) pending.catch(() => {})
    else await source.return?.()
  }
}
