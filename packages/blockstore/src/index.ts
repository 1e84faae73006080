export { SqliteBlockstore, type SqliteBlockstoreOptions } from './sqlite-blockstore.ts'
export { BlockExchange, type BlockExchangeOptions, type GetBlockOptions } from './exchange.ts'
export { HeadsBroadcaster, clusterFastMessageId, clusterGossipsubOptions, clusterMessageId, crdtTopic, type HeadsBroadcasterOptions } from './broadcaster.ts'
export { BlockFetchError, BlockTooLargeError, BlockstoreClosedError, BlockstoreCorruptError, BlockstoreIOError } from './errors.ts'
