import type { Pin } from '@cluster/api'
import type { SnapshotFolder } from '@cluster/raft/node'

/** Called after a committed operation changed the pinset (the cluster tells its tracker). */
export interface ApplyHooks {
  /** `before`: the pin this one replaced (undefined: the CID was not in the pinset). */
  onPin?: (pin: Pin, before: Pin | undefined, traceparent?: string) => void
  onUnpin?: (pin: Pin, traceparent?: string) => void
  /** A committed entry that does not decode: skipped (logged), never fatal, as in Go. */
  onInvalidOp?: (err: Error, index: number) => void
  /** The whole pinset was replaced by a snapshot (the tracker re-checks every pin). */
  onRestore?: (index: number) => void
}

export interface PinsetStateOptions {
  /** Where snapshots are written as files (Raft consensus); without it they are in-memory bytes. */
  snapshots?: SnapshotFolder
  /**
   * The file is a view rebuilt after any unclean stop (the CRDT consensus' pinset view): no
   * fsync and no WAL (an in-memory rollback journal, pages written in place once). Default false.
   */
  rebuiltAfterCrash?: boolean
  /**
   * Commits and checkpoints skip fsync (`synchronous = OFF`) while the file keeps its WAL (a
   * snapshot is copied through a second connection): the caller rebuilds the file when the
   * machine, not just the process, stopped while it was open (data-folder.ts). Default false.
   */
  skipSync?: boolean
}
