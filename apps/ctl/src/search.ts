/**
 * Search flags of `pin ls` and `status` (an extension beyond Go's ctl, matching the REST API's
 * search parameters). Hidden from the help screens, which stay Go's; see the README. With
 * `--limit`, the next page's cursor is printed on stderr (stdout stays the listing).
 */
import type { PinSearchQuery } from '@cluster/rest-client'
import type { FlagDef } from './flags.ts'
import type { ActionContext } from './context.ts'
import { parseMetadata } from './actions.ts'

const hidden = (names: string[], kind: FlagDef['kind'], usage: string): FlagDef => ({ names, kind, usage, hidden: true })

export const SEARCH_FLAGS: readonly FlagDef[] = [
  hidden(['name'], 'string', 'only pins with this exact name'),
  hidden(['name-prefix'], 'string', 'only pins whose name starts with this'),
  hidden(['name-contains'], 'string', 'only pins whose name contains this'),
  hidden(['metadata'], 'stringSlice', 'only pins with this metadata: key=value. Can be given multiple times'),
  hidden(['allocation'], 'string', 'only pins allocated to one of these peers (comma-separated peer IDs)'),
  hidden(['expire-before'], 'string', 'only pins expiring before this time (RFC 3339)'),
  hidden(['expire-after'], 'string', 'only pins expiring after this time (RFC 3339)'),
  hidden(['before'], 'string', 'only pins made before this time (RFC 3339)'),
  hidden(['after'], 'string', 'only pins made after this time (RFC 3339)'),
  hidden(['limit'], 'int', 'at most this many pins (the next page\'s cursor is printed on stderr)'),
  hidden(['cursor'], 'string', 'continue a listing from this cursor')
]

/** The search the flags ask for; undefined when none is given (then the command is Go's). */
export function searchOf (ctx: ActionContext): PinSearchQuery | undefined {
  if (!SEARCH_FLAGS.some(f => ctx.flags.isSet(f.names[0] as string))) return undefined
  const s: PinSearchQuery = {}
  const text = (name: string): string | undefined => ctx.flags.isSet(name) ? ctx.flags.string(name) : undefined
  const name = text('name')
  if (name !== undefined) s.name = name
  const prefix = text('name-prefix')
  if (prefix !== undefined) s.namePrefix = prefix
  const contains = text('name-contains')
  if (contains !== undefined) s.nameContains = contains
  if (ctx.flags.isSet('metadata')) s.metadata = parseMetadata(ctx.flags.slice('metadata'))
  const allocation = text('allocation')
  if (allocation !== undefined) s.allocations = allocation.split(',')
  for (const [flag, key] of [['expire-before', 'expireBefore'], ['expire-after', 'expireAfter'], ['before', 'before'], ['after', 'after']] as const) {
    const value = text(flag)
    if (value !== undefined) s[key] = value
  }
  if (ctx.flags.isSet('limit')) s.limit = ctx.flags.int('limit')
  const cursor = text('cursor')
  if (cursor !== undefined) s.cursor = cursor
  return s
}

/** Prints where the next page starts (stderr), once the listing is out. */
export function reportCursor (ctx: ActionContext, next: string | undefined): void {
  if (next !== undefined) ctx.io.stderr(`next page: --cursor ${next}\n`)
}
