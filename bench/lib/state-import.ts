// `state import` alone: one freshly initialised peer (Raft, or CRDT with Go's Pebble datastore
// for Go) imports a Go JSON-lines state file; the time is the command's, from spawn to exit.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Flavour } from './cluster.ts'
import { removeTempDir, tempDir } from './processes.ts'

const run = promisify(execFile)

export async function timeStateImport (flavour: Flavour, consensus: 'raft' | 'crdt', stateFile: string): Promise<number> {
  const dir = tempDir(`state-import-${flavour.name}-${consensus}-`)
  try {
    const folder = join(dir, 'peer')
    const { command, args } = flavour.service
    const initArgs = consensus === 'crdt' ? ['--consensus', 'crdt', '--datastore', 'pebble'] : ['--consensus', 'raft']
    await run(command, [...args, '-c', folder, 'init', ...initArgs, '--randomports', '--force'])
    const t0 = performance.now()
    await run(command, [...args, '-c', folder, 'state', 'import', '-f', stateFile], { maxBuffer: 64 * 2 ** 20 })
    return (performance.now() - t0) / 1000
  } finally {
    removeTempDir(dir)
  }
}
