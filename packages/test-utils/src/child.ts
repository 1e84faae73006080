import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'

/** Ends a child process the test started (SIGTERM by default) and waits for its exit; no-op once exited. */
export async function stopChild (child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise(resolve => child.once('exit', resolve))
  child.kill(signal)
  await exited
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago (for a process the test configures), taken
 * below the system's ephemeral range when there is room: between this call and the moment the
 * process binds it, a port of that range can be handed to any other socket (an outgoing
 * connection, a Kubo or daemon listening on port 0), and the process would then fail with
 * EADDRINUSE.
 */
export async function freePort (): Promise<number> {
  const [low] = ephemeralRange()
  const floor = 10_000
  if (low - floor >= 1_000) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = floor + Math.floor(Math.random() * (low - floor))
      if (await bindable(port)) return port
    }
  }
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise(resolve => server.close(resolve))
  return port
}

/** Linux's `ip_local_port_range` (the IANA range elsewhere). */
function ephemeralRange (): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number)
    if (Number.isInteger(low) && Number.isInteger(high)) return [low as number, high as number]
  } catch {}
  return [49152, 65535]
}

async function bindable (port: number): Promise<boolean> {
  const server = createServer()
  return await new Promise<boolean>(resolve => {
    server.once('error', () => { resolve(false) })
    server.listen(port, '127.0.0.1', () => { server.close(() => { resolve(true) }) })
  })
}

/**
 * Runs an installed bin as it would run on another Node version: the version Node reports
 * (`process.versions.node`) is replaced before the bin's first line runs.
 */
export function runAsNodeVersion (version: string, bin: string, args: readonly string[]): SpawnSyncReturns<string> {
  const olderNode = `data:text/javascript,Object.defineProperty(process.versions,"node",{value:${JSON.stringify(version)}})`
  return spawnSync(process.execPath, ['--import', olderNode, bin, ...args], { encoding: 'utf8' })
}

/**
 * Runs a command whose output is piped to a reader that stops after the first piece
 * (`command | head -c 1`): its exit code and what it wrote on stderr.
 */
export async function runUntilReaderStops (command: string, args: string[]): Promise<{ code: number | null, stderr: string }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const exited = new Promise<number | null>(resolve => { child.once('exit', (code) => { resolve(code) }) })
  await new Promise<void>(resolve => {
    child.stdout.once('data', () => { resolve() })
    child.once('exit', () => { resolve() })
  })
  child.stdout.destroy()
  return { code: await exited, stderr }
}
