import { execFile } from 'node:child_process'
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

/** Path of the Go ipfs-cluster-ctl v1.1.6: `$CLUSTER_GOBIN/ipfs-cluster-ctl`, else `<repo>/.cache/gobin/…`. */
export function goCtlBinary (): string {
  const bin = join(process.env.CLUSTER_GOBIN ?? join(repoRoot, '.cache', 'gobin'), 'ipfs-cluster-ctl')
  if (!existsSync(bin)) throw new KuboNotInstalledError(`Go ipfs-cluster-ctl not found at ${bin}: run \`npm run setup\``)
  return bin
}

export interface CtlRun { code: number, stdout: string, stderr: string }

/** Runs the Go ipfs-cluster-ctl (no stored credentials) and resolves with its exit code and output. */
export function runGoCtl (args: string[], env: Record<string, string> = {}): Promise<CtlRun> {
  const bin = goCtlBinary()
  return new Promise((resolve) => {
    execFile(bin, args, { timeout: 60_000, env: { ...process.env, CLUSTER_CREDENTIALS: '', ...env } }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1
      resolve({ code, stdout, stderr })
    })
  })
}
