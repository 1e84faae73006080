// @cluster/raft/libp2p — the libp2p transport for RaftNode (messages and snapshot files).
// Needs the optional peer dependencies @libp2p/interface, @libp2p/utils and @libp2p/peer-id.
export { Libp2pTransport, RAFT_PROTOCOL } from '../libp2p-transport.ts'
export type { Libp2pTransportOptions } from '../libp2p-transport.ts'
export { RAFT_SNAPSHOT_PROTOCOL } from '../snapshot-protocol.ts'
