#!/usr/bin/env node
// Runs the compiled CLI (dist/); `node --conditions=source src/cli/run.ts` runs the sources.
import { main } from '../dist/cli/main.js'

process.exitCode = await main(process.argv.slice(2))
