#!/usr/bin/env node
/** The `ipfs-cluster-ctl` program. */
import { main } from './main.ts'

process.exitCode = await main(process.argv.slice(2))
