import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { KuboNotInstalledError } from './errors.ts'

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

/** Path of the Go-built Kubo: `$IPFS_BIN`, else `<repo>/.cache/gobin/ipfs` (scripts/install-go-tools.sh). */
export function ipfsBinary (): string {
  const bin = process.env.IPFS_BIN ?? join(repoRoot, '.cache', 'gobin', 'ipfs')
  if (!existsSync(bin)) {
    throw new KuboNotInstalledError(`Kubo binary not found at ${bin}: run \`npm run setup\``)
  }
  return bin
}
