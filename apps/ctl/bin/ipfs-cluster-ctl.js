#!/usr/bin/env node
// Runs the built CLI, so a global install works without TypeScript: the single-file bundle
// (dist/ipfs-cluster-ctl.mjs) when it exists — one file to load instead of ~150 modules, which
// is most of a short command's time — else the compiled modules.
import * as nodeModule from 'node:module'
// Checked before anything else runs (every import above resolves on any Node): on an older Node
// the program would stop at a missing export or syntax far from the cause.
if (Number(process.versions.node.split('.')[0]) < 24) {
  process.stderr.write(`ipfs-cluster-ctl needs Node.js 24 or newer; this is Node.js ${process.versions.node}\n`)
  process.exit(1)
}
// V8's code cache on disk (Node's compile cache, in the system's temporary folder): later runs
// skip compiling the bundle. Failing to enable it changes nothing else.
try { nodeModule.enableCompileCache() } catch {}
const bundle = new URL('../dist/ipfs-cluster-ctl.mjs', import.meta.url)
// node:fs through getBuiltinModule: an ESM import of it builds its whole facade, which loads fs
// streams and fs/promises (~5 ms of a short command).
await import(process.getBuiltinModule('node:fs').existsSync(bundle) ? bundle.href : '../dist/cli.js')
