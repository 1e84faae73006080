#!/usr/bin/env node
// Runs the built CLI, so a global install works without TypeScript: the single-file bundle
// (dist/ipfs-cluster-ctl.mjs) when it exists — one file to load instead of ~150 modules, which
// is most of a short command's time — else the compiled modules.
import { enableCompileCache } from 'node:module'
// V8's code cache on disk (Node's compile cache, in the system's temporary folder): later runs
// skip compiling the bundle. Failing to enable it changes nothing else.
try { enableCompileCache() } catch {}
const bundle = new URL('../dist/ipfs-cluster-ctl.mjs', import.meta.url)
// node:fs through getBuiltinModule: an ESM import of it builds its whole facade, which loads fs
// streams and fs/promises (~5 ms of a short command).
await import(process.getBuiltinModule('node:fs').existsSync(bundle) ? bundle.href : '../dist/cli.js')
