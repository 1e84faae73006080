#!/usr/bin/env -S node --max-semi-space-size=16
// `node --conditions=source src/cli/run.ts` runs the sources.
// The V8 flag above caps each semi-space of the young generation at 16 MiB (V8 in Node 24 grows
// it to 64 MiB under load): an idle peer holds about 30 MiB less, a busy one up to 100 MiB less,
// for more frequent but short scavenges. Launchers that start `node` themselves read the flags
// from this line (dev/node-flags.ts).
import { launch } from './launch.js'

await launch('ipfs-cluster-service', 'main', 'main')
