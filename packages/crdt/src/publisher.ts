/**
 * Serialises local writes. Writes that queue up while one is being made are made one after the
 * other (each block on top of the previous one, as Go's) but share one store commit and one
 * announcement of the newest head, which implies the others: under concurrent load a commit per
 * write would cost more than the writes themselves.
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
}

interface Job {
  delta: Delta
  resolve: (cid: CID) => void
  reject: (err: unknown) => void
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
        this.draining = this.drain()
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
      const made: Array<[Job, CID]> = []
      for (const job of jobs) {
        try {
          made.push([job, await this.steps.build(job.delta)])
        } catch (err) {
          job.reject(err)
        }
      }
      try {
        this.steps.commit()
        if (made.length > 0) await this.steps.announce(made[made.length - 1]![1])
      } catch (err) {
        for (const [job] of made) job.reject(err)
        continue
      }
      for (const [job, cid] of made) job.resolve(cid)
    }
  }
}
