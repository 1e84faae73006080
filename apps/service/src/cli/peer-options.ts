import { peerSettingsOf, type ClusterPeerOptions } from '../cluster/index.ts'
import {
  consensusOf, crdtDataFolder, peerstorePath, raftDataFolder, readPeerstoreFile, type LoadedConfigFolder
} from '../config/index.ts'

/** Maps a loaded configuration folder onto the options of a ClusterPeer. */
export async function peerOptionsOf (loaded: LoadedConfigFolder, bootstrap: string[], onWarning?: (message: string) => void): Promise<ClusterPeerOptions> {
  const { config, folder, identity } = loaded
  const c = config.cluster
  // An unreadable peerstore is no reason not to start (Go logs it too): the peers are found again.
  const peerstore = await readPeerstoreFile(peerstorePath(c, folder), onWarning === undefined ? {} : { onWarning }).catch((err: Error) => {
    onWarning?.(err.message)
    return []
  })
  return {
    privateKey: identity.privateKey,
    peername: c.peername,
    secret: c.secret,
    // Our host speaks TCP only: QUIC listen addresses of Go's defaults are skipped.
    listen: c.listenMultiaddress.filter(a => a.includes('/tcp/')),
    peerAddresses: [...new Set([...peerstore, ...c.peerAddresses])],
    bootstrap,
    ...(consensusOf(config) === 'crdt'
      ? { consensus: 'crdt' as const, dataDir: crdtDataFolder(config.consensus.crdt, folder), crdt: config.consensus.crdt }
      : { consensus: 'raft' as const, dataDir: raftDataFolder(config.consensus.raft, folder), raft: config.consensus.raft }),
    ...peerSettingsOf(config),
    ipfs: config.ipfsConnector.ipfshttp,
    tracker: config.pinTracker.stateless
  }
}
