// Entry point for running the CLI from sources: node --conditions=source apps/service/src/cli/run.ts
import { main } from './main.ts'

process.exitCode = await main(process.argv.slice(2))
