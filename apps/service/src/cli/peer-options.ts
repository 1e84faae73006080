import type { ClusterPeerOptions } from '../cluster/index.ts'
import {
  consensusOf, crdtDataFolder, peerstorePath, raftDataFolder, readPeerstoreFile, toCrdtConsensusConfig, toRaftConsensusConfig, type LoadedConfigFolder
} from '../config/index.ts'

const ms = (d: bigint): number => Number(d / 1_000_000n)

/** Maps a loaded configuration folder onto the options of a ClusterPeer. */
export async function peerOptionsOf (loaded: LoadedConfigFolder, bootstrap: string[]): Promise<ClusterPeerOptions> {
  const { config, folder, identity } = loaded
  const c = config.cluster
  const peerstore = await readPeerstoreFile(peerstorePath(c, folder)).catch(() => [])
  return {
    privateKey: identity.privateKey,
    peername: c.peername,
    secret: c.secret,
    // Our host speaks TCP only: QUIC listen addresses of Go's defaults are skipped.
    listen: c.listenMultiaddress.filter(a => a.includes('/tcp/')),
    peerAddresses: [...new Set([...peerstore, ...c.peerAddresses])],
    bootstrap,
    ...(consensusOf(config) === 'crdt'
      ? { consensus: 'crdt' as const, dataDir: crdtDataFolder(config.consensus.crdt, folder), crdt: toCrdtConsensusConfig(config.consensus.crdt) }
      : { consensus: 'raft' as const, dataDir: raftDataFolder(config.consensus.raft, folder), raft: toRaftConsensusConfig(config.consensus.raft) }),
    replicationFactorMin: c.replicationFactorMin,
    replicationFactorMax: c.replicationFactorMax,
    disableRepinning: c.disableRepinning,
    followerMode: c.followerMode,
    monitorPingIntervalMs: ms(c.monitorPingInterval),
    checkIntervalMs: ms(config.monitor.pubsubmon.checkInterval),
    pinRecoverIntervalMs: ms(c.pinRecoverInterval),
    stateSyncIntervalMs: ms(c.stateSyncInterval),
    ipfs: config.ipfsConnector.ipfshttp,
    tracker: config.pinTracker.stateless,
    allocateBy: config.allocator.balanced.allocateBy,
    tags: config.informer.tags.tags,
    informerTtlMs: config.informer.disk.metricTtlMs,
    pinqueueWeightBucket: config.informer.pinqueue.weightBucketSize,
    publishIpfsAddresses: c.publishIpfsAddresses
  }
}
