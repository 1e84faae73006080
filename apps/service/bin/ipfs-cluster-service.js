#!/usr/bin/env -S node --max-semi-space-size=16
// Runs the built CLI, so a global install works without TypeScript: the bundle (dist/bundle/,
// one entry plus the chunks loaded on demand) when it exists — it spares the module resolution
// of ~900 files, most of a start's time — else the compiled modules (dist/cli/).
// `node --conditions=source src/cli/run.ts` runs the sources.
// The V8 flag above caps each semi-space of the young generation at 16 MiB (V8 in Node 24 grows
// it to 64 MiB under load): an idle peer holds about 30 MiB less, a busy one up to 100 MiB less,
// for more frequent but short scavenges. Launchers that start `node` themselves read the flags
// from this line (dev/node-flags.ts).
import { existsSync } from 'node:fs'
import * as nodeModule from 'node:module'
// Checked before anything else runs (every import above resolves on any Node): on an older Node
// the program would stop at a missing export or syntax far from the cause.
if (Number(process.versions.node.split('.')[0]) < 24) {
  process.stderr.write(`ipfs-cluster-service needs Node.js 24 or newer; this is Node.js ${process.versions.node}\n`)
  process.exit(1)
}
// V8's code cache on disk (Node's compile cache, in the system's temporary folder): later starts
// skip compiling the bundle. Failing to enable it changes nothing else.
try { nodeModule.enableCompileCache() } catch {}
const bundle = new URL('../dist/bundle/main.js', import.meta.url)
const { main } = await import(existsSync(bundle) ? bundle.href : '../dist/cli/main.js')

process.exitCode = await main(process.argv.slice(2))
