import type { Io } from '../../src/cli/io.ts'

/** An Io that keeps what a command prints, for the CLI tests. */
export function capture (): Io & { stdout: string, stderr: string } {
  const io = { stdout: '', stderr: '', out: (t: string) => { io.stdout += t }, err: (t: string) => { io.stderr += t } }
  return io
}
