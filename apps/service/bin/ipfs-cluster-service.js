#!/usr/bin/env -S node --max-semi-space-size=16
// Runs the compiled CLI (dist/); `node --conditions=source src/cli/run.ts` runs the sources.
// The V8 flag above caps each semi-space of the young generation at 16 MiB (V8 in Node 24 grows
// it to 64 MiB under load): an idle peer holds about 30 MiB less, a busy one up to 100 MiB less,
// for more frequent but short scavenges. Launchers that start `node` themselves read the flags
// from this line (dev/node-flags.ts).
import { enableCompileCache } from 'node:module'
// V8's code cache on disk (Node's compile cache, in the system's temporary folder): later starts
// skip compiling the peer's ~900 modules. Failing to enable it changes nothing else.
try { enableCompileCache() } catch {}
const { main } = await import('../dist/cli/main.js')

process.exitCode = await main(process.argv.slice(2))
