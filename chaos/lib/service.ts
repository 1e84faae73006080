// Our `ipfs-cluster-service` as a global npm install runs it: bin/ → dist/ (so `turbo run build`
// must have run). Each daemon may run inside a network namespace named in its config folder.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Flavour } from '../../bench/lib/cluster.ts'
import { SERVICE_BIN, daemonLauncher } from '../../apps/service/dev/node-flags.ts'

const root = join(import.meta.dirname, '..', '..')
const dist = join(root, 'apps', 'service', 'dist', 'cli', 'main.js')

/**
 * The built service. Commands go through `in-netns.sh`, which enters the namespace written in
 * `<config folder>/netns` when that file exists, with `exec` all the way down so the daemon keeps
 * the pid (and process group) the harness signals.
 */
const launcher = daemonLauncher()

export const builtService: Flavour = {
  name: 'ts',
  service: { command: 'bash', args: [join(import.meta.dirname, 'in-netns.sh'), launcher.command, ...launcher.args, SERVICE_BIN] },
  prepare: async () => {
    if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`turbo run build\` first`)
  }
}
