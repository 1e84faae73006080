/**
 * The `@cluster/consensus/config` entry: the `consensus.raft` and `consensus.crdt` config models
 * (type, defaults, Go's JSON, validation, environment fields) without loading the consensus
 * itself (Raft, CRDT, bitswap, SQLite), so a program that only reads or writes configuration
 * starts quickly.
 */
export * from '../raft-config.ts'
export * from '../crdt-config.ts'
export { ConsensusConfigError } from '../errors.ts'
