import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/** The installed `ipfs-cluster-service` executable. */
export const SERVICE_BIN = join(import.meta.dirname, '..', 'bin', 'ipfs-cluster-service.js')

/**
 * The Node flags the installed `ipfs-cluster-service` runs with (its shebang line), for
 * launchers that start `node` themselves — the local cluster, the benchmarks, the fault
 * campaign — so they measure what users run.
 */
export function daemonNodeFlags (): string[] {
  const shebang = readFileSync(SERVICE_BIN, 'utf8').split('\n', 1)[0] ?? ''
  const words = shebang.replace(/^#!\s*/, '').split(/\s+/).filter(w => w !== '')
  const node = words.findIndex(w => w === 'node' || w.endsWith('/node'))
  return node < 0 ? [] : words.slice(node + 1)
}
