// The start shared by the package's programs (ipfs-cluster-service, ipfs-cluster-follow): runs the
// built CLI, so a global install works without TypeScript — the bundle (dist/bundle/, one entry
// plus the chunks loaded on demand) when it exists, which spares the module resolution of ~900
// files, most of a start's time; else the compiled modules (dist/cli/). Only node: modules are
// imported here: they resolve on any Node, so the version check below is what an old one meets.
import { existsSync } from 'node:fs'
import * as nodeModule from 'node:module'

/** Runs `<entry>.js`'s exported `fn` with the command line; its result is the exit code. */
export async function launch (program, entry, fn) {
  if (Number(process.versions.node.split('.')[0]) < 24) {
    process.stderr.write(`${program} needs Node.js 24 or newer; this is Node.js ${process.versions.node}\n`)
    process.exit(1)
  }
  // V8's code cache on disk (Node's compile cache, in the system's temporary folder): later starts
  // skip compiling the bundle. Failing to enable it changes nothing else.
  try { nodeModule.enableCompileCache() } catch {}
  const bundle = new URL(`../dist/bundle/${entry}.js`, import.meta.url)
  const loaded = await import(existsSync(bundle) ? bundle.href : `../dist/cli/${entry}.js`)
  process.exitCode = await loaded[fn](process.argv.slice(2))
}
