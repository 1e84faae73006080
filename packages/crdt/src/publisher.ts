/**
 * Serialises local writes. Writes that queue up while one is being made are made one after the
 * other (each block on top of the previous one, as Go's) but share one store commit and one
 * announcement of the newest head, which implies the others: under concurrent load a commit per
 * write would cost more than the writes themselves. With `coalesce`, the queued writes go into
 * one delta (one block) instead, in order: a later write of a key replaces a pending put of it, as
 * in a batch. Every peer then fetches and merges one block where it would walk a chain of them.
 */
import type { CID } from 'multiformats/cid'
import type { Delta } from './delta.ts'

export interface PublisherSteps {
  /** Makes, stores and merges the block of `delta` (joining the open group commit). */
  build: (delta: Delta) => Promise<CID>
  /** Commits the group (and fires its hooks). */
  commit: () => void
  /** Announces the newest head. */
  announce: (head: CID) => Promise<void>
  /** Writes sharing one commit at most. */
  maxPerCommit: number
  /** Encoded delta size a coalesced block stays under (unless one write alone is bigger). */
  coalesceBytes?: number
}

interface Job {
  delta: Delta
  resolve: (cid: CID) => void
  reject: (err: unknown) => void
}

/** Writes made as one block. */
interface Group { delta: Delta, jobs: Job[] }

/** Roughly a delta element's encoded size (key, ID, value and field overhead). */
function elementBytes (e: Delta['elements'][number]): number {
  return e.key.length + e.id.length + e.value.length + 12
}

/** The jobs as groups of writes under `maxBytes`, each merged into one delta in queue order. */
function coalesced (jobs: Job[], maxBytes: number): Group[] {
  const groups: Group[] = []
  let current: Group | undefined
  let bytes = 0
  for (const job of jobs) {
    const size = [...job.delta.elements, ...job.delta.tombstones].reduce((n, e) => n + elementBytes(e), 0)
    if (current === undefined || bytes + size > maxBytes) {
      current = { delta: { elements: [], tombstones: [], priority: 0 }, jobs: [] }
      groups.push(current)
      bytes = 0
    }
    const keys = new Set([...job.delta.elements, ...job.delta.tombstones].map((e) => e.key))
    current.delta.elements = current.delta.elements.filter((e) => !keys.has(e.key))
    current.delta.elements.push(...job.delta.elements)
    current.delta.tombstones.push(...job.delta.tombstones)
    current.jobs.push(job)
    bytes += size
  }
  return groups
}

export class Publisher {
  private readonly steps: PublisherSteps
  private readonly queue: Job[] = []
  private draining: Promise<void> = Promise.resolve()
  private running = false

  constructor (steps: PublisherSteps) {
    this.steps = steps
  }

  async publish (delta: Delta): Promise<CID> {
    return await new Promise<CID>((resolve, reject) => {
      this.queue.push({ delta, resolve, reject })
      if (!this.running) {
        this.running = true
        // Coalescing: a whole write runs in microtasks, so without a pause every request would
        // be written before the next one is even read. Waiting for the check phase lets the
        // requests that have arrived meanwhile join this block.
        this.draining = this.steps.coalesceBytes === undefined
          ? this.drain()
          : new Promise<void>((resolve) => { setImmediate(resolve) }).then(async () => { await this.drain() })
      }
    })
  }

  /** Resolves once no write is queued or in progress. */
  async idle (): Promise<void> {
    await this.draining
  }

  private async drain (): Promise<void> {
    for (;;) {
      // `running` is cleared in the same turn as the last look at the queue, so a write queued
      // after it always starts a new drain. Nothing below throws out of the loop.
      if (this.queue.length === 0) {
        this.running = false
        return
      }
      const jobs = this.queue.splice(0, this.steps.maxPerCommit)
      const groups = this.steps.coalesceBytes !== undefined ? coalesced(jobs, this.steps.coalesceBytes) : jobs.map((job) => ({ delta: job.delta, jobs: [job] }))
      const made: Array<[Job[], CID]> = []
      for (const group of groups) {
        try {
          made.push([group.jobs, await this.steps.build(group.delta)])
        } catch (err) {
          for (const job of group.jobs) job.reject(err)
        }
      }
      try {
        this.steps.commit()
        if (made.length > 0) await this.steps.announce(made[made.length - 1]![1])
      } catch (err) {
        for (const [group] of made) for (const job of group) job.reject(err)
        continue
      }
      for (const [group, cid] of made) for (const job of group) job.resolve(cid)
    }
  }
}
