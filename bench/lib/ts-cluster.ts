// Our `ipfs-cluster-service` (apps/service), run from its TypeScript sources.
import { join } from 'node:path'
import type { Flavour } from './cluster.ts'
import { daemonNodeFlags } from '../../apps/service/dev/node-flags.ts'

const root = join(import.meta.dirname, '..', '..')
/** BENCH_TS_ROOT=<checkout> runs the daemon of another checkout (e.g. a fixed commit) instead of this tree's. */
const serviceRoot = process.env.BENCH_TS_ROOT !== undefined && process.env.BENCH_TS_ROOT !== '' ? process.env.BENCH_TS_ROOT : root

export const tsFlavour: Flavour = {
  name: 'ts',
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of every daemon of ours into <dir> at exit.
  service: {
    command: process.execPath,
    args: [...daemonNodeFlags(), ...(process.env.BENCH_CPU_PROF !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
      '--conditions=source', join(serviceRoot, 'apps', 'service', 'src', 'cli', 'run.ts')]
  },
  prepare: async () => {}
}

/** Our `ipfs-cluster-ctl`, from sources and (when built) from dist/. */
export const tsCtlSource = { command: process.execPath, args: ['--conditions=source', join(root, 'apps', 'ctl', 'src', 'cli.ts')] }
export const tsCtlDist = { command: process.execPath, args: [join(root, 'apps', 'ctl', 'bin', 'ipfs-cluster-ctl.js')] }
