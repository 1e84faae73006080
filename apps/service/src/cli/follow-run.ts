// Entry point for running `ipfs-cluster-follow` from sources: node --conditions=source apps/service/src/cli/follow-run.ts
import { followMain } from './follow.ts'

process.exitCode = await followMain(process.argv.slice(2))
