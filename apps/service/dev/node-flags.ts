import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/** The installed `ipfs-cluster-service` executable. */
export const SERVICE_BIN = join(import.meta.dirname, '..', 'bin', 'ipfs-cluster-service.js')

/**
 * How the installed `ipfs-cluster-service` starts Node (its shebang line: `/usr/bin/env -S
 * NAME=value… node --flag…`), for launchers that start `node` themselves — the local cluster, the
 * benchmarks, the fault campaign — so they measure what users run: `command` and the leading
 * `args` (the environment settings through `env`, then this Node and its flags), to which the
 * launcher adds its own Node arguments and the script. `bin`: another checkout's executable.
 */
export function daemonLauncher (bin = SERVICE_BIN): { command: string, args: string[] } {
  const shebang = readFileSync(bin, 'utf8').split('\n', 1)[0] ?? ''
  const words = shebang.replace(/^#!\s*/, '').split(/\s+/).filter(w => w !== '')
  const node = words.findIndex(w => w === 'node' || w.endsWith('/node'))
  if (node < 0) return { command: process.execPath, args: [] }
  const settings = words.slice(0, node).filter(w => /^[A-Za-z_][A-Za-z0-9_]*=/.test(w))
  const flags = words.slice(node + 1)
  // `env` replaces itself with Node: the daemon keeps the pid the launcher signals and measures.
  return settings.length === 0 ? { command: process.execPath, args: flags } : { command: 'env', args: [...settings, process.execPath, ...flags] }
}
