/**
 * DAG walks (go-ds-crdt handleBranch/sendNewJobs/dagWorker) and repair (repairDAG). Fetches run
 * in parallel up to the replica's fetchConcurrency; merges are synchronous, one block at a time.
 * The frontier holds CIDs only, so memory grows with the DAG's width, not with its size.
 */
import type { CID } from 'multiformats/cid'
import type { Head } from './heads.ts'
import type { Replica } from './replica.ts'

/**
 * Walks down from `start` for branch head `root`, whose height is `rootPriority` (undefined: the
 * start block's own priority). Returns false if a block could not be fetched or merged.
 */
export async function walkDag (replica: Replica, root: CID, start: CID, rootPriority: number | undefined): Promise<boolean> {
  // The start block first: an unfetchable head is not an error of the store (Go: not dirty).
  let first
  try {
    first = await replica.fetchNode(start)
  } catch (err) {
    replica.log('error', `could not fetch ${start.toString()}: ${String(err)}`)
    return false
  }
  const priority = rootPriority ?? first.delta.priority
  let failure: unknown
  const frontier: CID[] = []
  try {
    frontier.push(...replica.processNode(root, priority, first))
  } catch (err) {
    failure = err
  }

  let inFlight = 0
  let fetched = 1
  let next = 0 // frontier[next…] are still to fetch (no shift(): wide DAGs make long frontiers)
  await new Promise<void>((resolve) => {
    const pump = (): void => {
      while (failure === undefined && inFlight < replica.fetchConcurrency && next < frontier.length) {
        const cid = frontier[next++]!
        if (next > 4096 && next * 2 > frontier.length) { frontier.splice(0, next); next = 0 }
        inFlight++
        replica.fetchNode(cid, fetched++)
          .then((node) => {
            if (failure === undefined) frontier.push(...replica.processNode(root, priority, node))
            else replica.reserved.delete(cid.toString())
          })
          .catch((err: unknown) => {
            failure ??= err
            replica.reserved.delete(cid.toString())
          })
          .finally(() => {
            inFlight--
            pump()
          })
      }
      if (inFlight === 0 && (failure !== undefined || next >= frontier.length)) resolve()
    }
    pump()
  })

  // A failed walk's merges commit now, so the dirty mark below never lands before them; a
  // finished one's too unless merges wait for company (mergeCommitDelayMs).
  if (failure !== undefined || replica.mergeCommitDelayMs === 0) replica.flush()
  if (failure === undefined) return true
  // Release what this walk had reserved and make the root reachable for a repair: the blocks
  // merged so far are marked processed, so a later announcement of the root would stop there.
  for (const c of frontier.slice(next)) replica.reserved.delete(c.toString())
  replica.log('error', `walk of ${root.toString()} failed: ${String(failure)}`)
  replica.markDirty()
  if (replica.store.isProcessed(root.multihash.bytes)) replica.adoptHead(root, priority)
  return false
}

/**
 * Breadth-first over the whole DAG from `heads`, fetching every block; each unprocessed one
 * starts a walk for its head, recorded with the head's own height (Go records the lower one of
 * the restarted block). False if anything failed (the store then stays dirty).
 */
export async function repairDag (replica: Replica, heads: readonly Head[]): Promise<boolean> {
  const queue: Array<{ head: Head, cid: CID }> = heads.map((h) => ({ head: h, cid: h.cid }))
  const queued = new Set(heads.map((h) => h.cid.toString()))
  let ok = true
  for (let i = 0; i < queue.length; i++) {
    if (replica.closed) return false
    const { head, cid } = queue[i]!
    let node
    try {
      node = await replica.fetchNode(cid)
    } catch (err) {
      replica.log('error', `repair could not fetch ${cid.toString()}: ${String(err)}`)
      return false
    }
    if (!replica.store.isProcessed(cid.multihash.bytes)) {
      if (!await replica.walk(head.cid, cid, head.height)) ok = false
    }
    for (const link of node.links) {
      if (queued.has(link.toString())) continue
      queued.add(link.toString())
      queue.push({ head, cid: link })
    }
    // Drop what has been visited: the queue array must not hold the whole DAG twice.
    if (i > 1024) { queue.splice(0, i + 1); i = -1 }
  }
  return ok
}
