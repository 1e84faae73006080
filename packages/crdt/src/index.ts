/**
 * @cluster/crdt — the Merkle-CRDT of Go IPFS Cluster's CRDT consensus (go-ds-crdt v0.6.8),
 * byte-compatible with Go: pin values, state keys, deltas, dag-pb blocks, broadcasts, heads and
 * the add-wins set. Storage, block exchange and broadcasting are injected.
 */
export { Replica } from './replica.ts'
export type { BlockAccess, ReplicaOptions, ReceiveResult } from './replica.ts'
export { Batch } from './batch.ts'
export type { BatchOptions } from './batch.ts'
export type { Head } from './heads.ts'
export type { CrdtStore, ValueRecord, LiveElement, HeadRecord } from './store.ts'
export { MemoryStore } from './memory-store.ts'
export { SqliteStore } from './sqlite-store.ts'
export type { SqliteStoreOptions } from './sqlite-store.ts'
export { encodeDelta, decodeDelta, encodeBroadcast, decodeBroadcast, decodeCarriedBlocks } from './delta.ts'
export type { Delta, Element, CarriedBlock } from './delta.ts'
export { makeBlock, decodeBlock, blockLinks, compareCids, toV1DagPb } from './block.ts'
export type { Block, DeltaNode } from './block.ts'
export { stateKey, cidFromStateKey, blockId, cidFromBlockId, base32Upper, base32UpperDecode } from './keys.ts'
export { encodePinValue, decodePinValue } from './pin-value.ts'
export type { DecodePinOptions } from './pin-value.ts'
export { bestValue, mergeDelta } from './set.ts'
export { dotLines } from './dot.ts'
export { goLayout } from './go-layout.ts'
export { rebroadcastDelay } from './timing.ts'
export { Pinset, pinsetHooks } from './pinset.ts'
export type { PinTrackerCalls } from './pinset.ts'
export type { SetEvent } from './set.ts'
