/**
 * `ipfs-cluster-follow <clusterName> list` when the follower is not running: the pinset stored in
 * its CRDT folder, read offline. The configuration may live behind an unreachable source, so the
 * folder is the default one (as Go, which guesses its datastore the same way).
 */
import { existsSync } from 'node:fs'
import { CrdtConsensus } from '@cluster/consensus'
import { configPaths, readIdentityFile } from '../config/index.ts'
import { CommandError } from './io.ts'
import { defaultCrdt } from './follow-peer.ts'
import { acquireLock } from './lock.ts'

/** Calls `print` with each stored pin's CID and name; nothing when the follower never ran. */
export async function listOffline (folder: string, print: (cid: string, name: string) => Promise<void>): Promise<void> {
  const { config, dataDir } = defaultCrdt(folder)
  if (!existsSync(dataDir)) return
  const release = await acquireLock(folder).catch((err: Error) => { throw new CommandError(err.message) })
  try {
    const identity = await readIdentityFile(configPaths(folder).identity)
    const crdt = new CrdtConsensus({ id: identity.id, dataDir, config })
    try {
      // Commits what batching answered before an unclean stop, as `state export` does.
      await crdt.start()
      for (const pin of crdt.pins()) await print(pin.cid.toString(), pin.name)
    } finally {
      await crdt.shutdown()
    }
  } finally {
    await release()
  }
}
