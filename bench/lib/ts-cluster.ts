// Our `ipfs-cluster-service` (apps/service) as users install it: the built package's bin, on
// the built workspace packages (dist/). BENCH_TS_SOURCE=1 runs the TypeScript sources instead.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import type { Flavour } from './cluster.ts'
import { daemonLauncher } from '../../apps/service/dev/node-flags.ts'

const root = join(import.meta.dirname, '..', '..')
/** BENCH_TS_ROOT=<checkout> runs the daemon of another checkout (e.g. a fixed commit) instead of this tree's. */
const serviceRoot = process.env.BENCH_TS_ROOT !== undefined && process.env.BENCH_TS_ROOT !== '' ? process.env.BENCH_TS_ROOT : root

const fromSource = process.env.BENCH_TS_SOURCE !== undefined && process.env.BENCH_TS_SOURCE !== '' && process.env.BENCH_TS_SOURCE !== '0'

/**
 * How to run our daemon from `checkout`'s built bin (or, with BENCH_TS_SOURCE=1, its sources).
 * BENCH_CPU_PROF=<dir> writes a V8 CPU profile of every daemon of ours into <dir> at exit;
 * BENCH_NODE_FLAGS adds Node flags to our daemons (e.g. `--trace-gc`, `--heap-prof`).
 */
export function tsDaemonCommand (checkout: string): Flavour['service'] {
  // An A/B's other checkout runs as its own executable says.
  const launcher = daemonLauncher(join(checkout, 'apps', 'service', 'bin', 'ipfs-cluster-service.js'))
  return {
    command: launcher.command,
    args: [...launcher.args, ...(process.env.BENCH_CPU_PROF !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
      ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(flag => flag !== ''),
      ...(fromSource
        ? ['--conditions=source', join(checkout, 'apps', 'service', 'src', 'cli', 'run.ts')]
        : [join(checkout, 'apps', 'service', 'bin', 'ipfs-cluster-service.js')])]
  }
}

export const tsFlavour: Flavour = {
  name: 'ts',
  service: tsDaemonCommand(serviceRoot),
  // The build is incremental (turbo's cache): a no-op when dist/ is up to date. BENCH_NO_BUILD=1
  // runs dist/ as it is (turbo would restore a cached build over an edited bundle).
  prepare: async () => {
    if (!fromSource && process.env.BENCH_NO_BUILD !== '1') execFileSync('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], { cwd: serviceRoot, stdio: 'inherit' })
  }
}

/** Our `ipfs-cluster-ctl`, from sources and (when built) from dist/. */
export const tsCtlSource = { command: process.execPath, args: ['--conditions=source', join(root, 'apps', 'ctl', 'src', 'cli.ts')] }
export const tsCtlDist = { command: process.execPath, args: [join(root, 'apps', 'ctl', 'bin', 'ipfs-cluster-ctl.js')] }
