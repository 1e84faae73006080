#!/usr/bin/env node
/** The `ipfs-cluster-ctl` program. */
import { keepRecentCids } from '@cluster/api'
import { main } from './main.ts'

// The ctl reads each CID of a listing once: a cache of recent ones would only hold garbage.
keepRecentCids(false)

process.exitCode = await main(process.argv.slice(2))
