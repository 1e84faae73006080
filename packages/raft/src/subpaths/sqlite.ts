// @cluster/raft/sqlite — durable storage for RaftNode: one SQLite database (WAL), one transaction
// per Ready, fsynced off the event loop. Needs the optional peer dependency better-sqlite3.
export { SqliteStorage } from '../sqlite-storage.ts'
export type { SqliteStorageOptions } from '../sqlite-storage.ts'
export { WalSyncError } from '../wal-sync.ts'
