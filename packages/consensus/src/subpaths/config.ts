/**
 * The `@cluster/consensus/config` entry: the settings of both consensus modes, their defaults and
 * validation, without loading the consensus itself (Raft, CRDT, bitswap, SQLite), so a program
 * that only reads or writes configuration starts quickly.
 */
export { RAFT_DEFAULTS, resolveRaftConfig, type RaftConsensusConfig } from '../config.ts'
export * from '../crdt-config.ts'
export { ConsensusConfigError } from '../errors.ts'
