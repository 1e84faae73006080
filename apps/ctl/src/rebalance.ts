/**
 * `rebalance` (an extension beyond Go's ctl, hidden from the help screens, which stay Go's):
 * asks the peer to move pins to the allocations they would get now (`POST /pins/rebalance`).
 * Prints a line per move as it completes and a summary; `--dry-run` only lists the moves. The
 * search flags of `pin ls` choose the pins; `--limit` bounds the moves.
 */
import { cidToString, type RebalanceEvent } from '@cluster/api'
import type { Action, ActionContext } from './context.ts'
import { emit } from './context.ts'
import { LocalCommandError } from './errors.ts'
import type { FlagDef } from './flags.ts'
import { SEARCH_FLAGS, searchOf } from './search.ts'

const flag = (names: string[], kind: FlagDef['kind'], usage: string): FlagDef => ({ names, kind, usage })

export const REBALANCE_FLAGS: readonly FlagDef[] = [
  flag(['dry-run'], 'bool', 'only print the moves, change nothing'),
  flag(['limit'], 'int', 'move at most this many pins'),
  flag(['filter'], 'string', 'only pins of these types: pin, clusterdag-pin, shard-pin (comma-separated)'),
  ...SEARCH_FLAGS.filter(f => f.names[0] !== 'limit' && f.names[0] !== 'cursor').map(f => ({ ...f, hidden: false }))
]

export const REBALANCE_DESCRIPTION = `
This command recomputes the allocations of the pins with the current allocator and
metrics (after peers joined or left, or free space changed) and moves the pins
whose allocation changes, a few at a time: a pin is pinned on its new peers before
it leaves the old ones, so it never has fewer copies than its replication factor.

A line is printed for each moved pin, then a summary. With --dry-run the moves are
only listed. The peer persists the progress: a rebalance interrupted by a restart
continues when the peer starts again. Only one rebalance runs on a peer at a time.
`

function moveText (event: Extract<RebalanceEvent, { move: unknown }>, width: number): string {
  const { move } = event
  const name = move.name === '' ? '' : ` | ${move.name}`
  const verb = event.result === 'planned' ? 'would move' : event.result
  const peers = (ids: string[]): string => `[${ids.map(id => id.slice(-width)).join(' ')}]`
  return `${cidToString(move.cid)}${name}: ${verb} ${peers(move.from)} -> ${peers(move.to)}${event.error === undefined ? '' : ` (${event.error})`}\n`
}

function eventJson (event: RebalanceEvent): string {
  if ('summary' in event) {
    const s = event.summary
    return JSON.stringify({ summary: { checked: s.checked, planned: s.planned, moved: s.moved, failed: s.failed, skipped: s.skipped, dry_run: s.dryRun } }, null, 2) + '\n'
  }
  const { move } = event
  return JSON.stringify({ cid: cidToString(move.cid), name: move.name, from: move.from, to: move.to, result: event.result, ...(event.error === undefined ? {} : { error: event.error }) }, null, 2) + '\n'
}

function summaryText (s: Extract<RebalanceEvent, { summary: unknown }>['summary']): string {
  if (s.dryRun) return `dry run: ${s.planned} moves planned (${s.checked} pins checked)\n`
  return `rebalance: ${s.moved} moved, ${s.failed} failed, ${s.skipped} skipped (${s.checked} pins checked)\n`
}

export const rebalance: Action = async (ctx: ActionContext) => {
  if (ctx.args.length > 0) throw new LocalCommandError('parsing arguments', 'rebalance takes no arguments (choose pins with the search flags)')
  const search = searchOf(ctx) ?? {}
  delete search.limit
  const limit = ctx.flags.isSet('limit') ? ctx.flags.int('limit') : undefined
  if (limit !== undefined && limit < 1) throw new LocalCommandError('parsing flags', '--limit must be at least 1')
  const query = { search, filter: ctx.flags.string('filter'), dryRun: ctx.flags.bool('dry-run'), ...(limit === undefined ? {} : { limit }) }
  let failed = 0
  for await (const event of ctx.api.stream((c) => c.rebalancePins(query))) {
    if ('summary' in event) {
      failed = event.summary.failed
      emit(ctx, () => summaryText(event.summary), () => eventJson(event))
    } else {
      emit(ctx, () => moveText(event, 8), () => eventJson(event))
    }
  }
  if (failed > 0) throw new LocalCommandError('rebalancing', `${failed} moves failed`)
}
