/** `pin/add`, `pin/rm`, `pin/update` (proxy.md §3.1, §3.2, §3.4). */
import { PinNotFoundError, defaultPinOptions, type CID, type PinOptions } from '@cluster/api'
import { formatContentPath, parseContentPath } from '@cluster/ipfs-connector'
import type { HandlerContext } from '../context.ts'
import { ProxyArgumentError, ProxyRequestError, messageOf } from '../errors.ts'
import { sendJson } from '../respond.ts'
import { parseBool } from '../routes.ts'

/** Kubo's text for "nothing to unpin", which Kubo clients treat as already unpinned. */
export const NOT_PINNED = 'not pinned or pinned indirectly'
const NOT_IN_PINSET = 'pin is not part of the pinset'

/**
 * A path or a bare CID as a normalised `/ipfs|ipns|ipld/...` path; `what` prefixes the error, a
 * 400 (Kubo answers 500, but the mistake is the client's; clients read the message only).
 */
export function ipfsPathOf (arg: string, what = 'Error parsing IPFS Path: '): string {
  try {
    return formatContentPath(parseContentPath(arg))
  } catch (err) {
    throw new ProxyArgumentError(`${what}${messageOf(err)}`, { cause: err })
  }
}

/** Every `arg` (Go quirk fixed: Go handles only the first); none → one empty arg (a parse error). */
function argsOf (query: URLSearchParams): string[] {
  const args = query.getAll('arg')
  return args.length === 0 ? [''] : args
}

function isNotInPinset (err: unknown): boolean {
  return err instanceof PinNotFoundError || messageOf(err) === NOT_IN_PINSET
}

/** Options of a proxied pin: cluster defaults, mode from `type=direct` or `recursive=false`, `name`. */
export function pinOptionsOf (query: URLSearchParams): PinOptions {
  const options = defaultPinOptions()
  const recursive = parseBool(query.get('recursive') ?? '')
  if (query.get('type') === 'direct' || recursive === false) options.mode = 'direct'
  options.name = query.get('name') ?? ''
  return options
}

export async function pinAdd (ctx: HandlerContext): Promise<void> {
  const paths = argsOf(ctx.query).map(arg => ipfsPathOf(arg))
  const options = pinOptionsOf(ctx.query)
  const pinned: string[] = []
  for (const path of paths) {
    const pin = await ctx.cluster.pinPath(path, options, { signal: ctx.signal })
    pinned.push(pin.cid.toString())
  }
  sendJson(ctx.res, JSON.stringify({ Pins: pinned }))
}

export async function pinRm (ctx: HandlerContext): Promise<void> {
  const paths = argsOf(ctx.query).map(arg => ipfsPathOf(arg))
  const unpinned: string[] = []
  for (const path of paths) {
    try {
      const pin = await ctx.cluster.unpinPath(path, { signal: ctx.signal })
      unpinned.push(pin.cid.toString())
    } catch (err) {
      // Kubo's wording, so that a cluster above this one sees "already unpinned" (§3.2, §6).
      if (isNotInPinset(err)) throw new ProxyRequestError(NOT_PINNED, { cause: err })
      throw err
    }
  }
  sendJson(ctx.res, JSON.stringify({ Pins: unpinned }))
}

export async function pinUpdate (ctx: HandlerContext): Promise<void> {
  const args = ctx.query.getAll('arg')
  if (args.length < 1) throw new ProxyArgumentError('argument "from-path" is required')
  if (args.length < 2) throw new ProxyArgumentError('argument "to-path" is required')
  const fromPath = ipfsPathOf(args[0] as string, 'error parsing "from-path" argument: ')
  const toPath = ipfsPathOf(args[1] as string, 'error parsing "to-path" argument: ')
  const unpin = ctx.query.get('unpin') !== 'false'

  const from: CID = await ctx.kubo.resolve(fromPath, { timeoutMs: 60_000, signal: ctx.signal })
  // The new pin copies the options and allocations of `from` (cluster-behaviour.md §3.4). The
  // options are copied here too, so a cluster that ignores `pinUpdate` still keeps them.
  let existing
  try {
    existing = await ctx.cluster.allocation(from, { signal: ctx.signal })
  } catch (err) {
    if (isNotInPinset(err)) throw new ProxyRequestError(NOT_IN_PINSET, { cause: err })
    throw err
  }
  const options: PinOptions = {
    ...defaultPinOptions(),
    replicationFactorMin: existing.replicationFactorMin,
    replicationFactorMax: existing.replicationFactorMax,
    name: existing.name,
    mode: existing.mode,
    shardSize: existing.shardSize,
    userAllocations: existing.allocations !== null && existing.allocations.length > 0 ? [...existing.allocations] : null,
    expireAt: existing.expireAt,
    metadata: existing.metadata,
    pinUpdate: from,
    origins: existing.origins
  }
  const to = await ctx.cluster.pinPath(toPath, options, { signal: ctx.signal })
  if (unpin && !to.cid.equals(from)) await ctx.cluster.unpin(from, { signal: ctx.signal })
  sendJson(ctx.res, JSON.stringify({ Pins: [from.toString(), to.cid.toString()] }))
}
