#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=131072 MALLOC_TRIM_THRESHOLD_=131072 node --max-semi-space-size=16
// `node --conditions=source src/cli/follow-run.ts` runs the sources. The settings and the V8
// flag: see ipfs-cluster-service.js (a follower is a peer daemon too).
import { launch } from './launch.js'

await launch('ipfs-cluster-follow', 'follow', 'followMain')
