import type { ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'

/** Ends a child process the test started (SIGTERM by default) and waits for its exit; no-op once exited. */
export async function stopChild (child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise(resolve => child.once('exit', resolve))
  child.kill(signal)
  await exited
}

/** A TCP port on 127.0.0.1 that was free a moment ago (for a process the test configures). */
export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise(resolve => server.close(resolve))
  return port
}
