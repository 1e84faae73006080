#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=131072 MALLOC_TRIM_THRESHOLD_=131072 node --max-semi-space-size=16
// `node --conditions=source src/cli/run.ts` runs the sources.
// The V8 flag above caps each semi-space of the young generation at 16 MiB (V8 in Node 24 grows
// it to 64 MiB under load): an idle peer holds about 30 MiB less, a busy one up to 100 MiB less,
// for more frequent but short scavenges. The two settings fix glibc malloc's thresholds at their
// defaults: glibc raises them after a large block is freed (up to 32 MiB mmap, 64 MiB trim) and
// then keeps what a burst freed; a peer that served bursts of 1,000 connections stayed ~40 MiB
// above its resting RSS with its V8 heap back where it was (other C libraries ignore them).
// Launchers that start `node` themselves read this line (dev/node-flags.ts).
import { launch } from './launch.js'

await launch('ipfs-cluster-service', 'main', 'main')
