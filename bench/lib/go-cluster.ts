// The baseline: Go IPFS Cluster v1.1.6's `ipfs-cluster-service`, built into .cache/gobin by
// `scripts/install-go-tools.sh --group bench` (a no-op when the pinned version is already built).
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Flavour } from './cluster.ts'

const run = promisify(execFile)
const root = join(import.meta.dirname, '..', '..')
export const goBin = join(root, '.cache', 'gobin')

export const goFlavour: Flavour = {
  name: 'go',
  service: { command: join(goBin, 'ipfs-cluster-service'), args: [] },
  prepare: async () => {
    await run('bash', [join(root, 'scripts', 'install-go-tools.sh'), '--group', 'bench'], { maxBuffer: 64 * 2 ** 20 })
  }
}

/** Go's `ipfs-cluster-ctl` (built by the default group of install-go-tools.sh). */
export const goCtl = join(goBin, 'ipfs-cluster-ctl')
