/**
 * `pin add` / `pin rm` over many CIDs (an extension beyond Go's ctl): `--from-file <path>` or
 * the argument `-` (stdin) gives one CID per line; one batch request (`POST /pins`) pins or
 * unpins them all with the command's options. Each result is printed as it comes (the pin, as
 * with `--no-status`); failed items go to stderr and make the exit code 1.
 */
import { parseCid } from '@cluster/api'
import type { CID, PinOptions } from '@cluster/api'
import type { ActionContext } from './context.ts'
import { emit } from './context.ts'
import { LocalCommandError } from './errors.ts'
import type { FlagDef } from './flags.ts'
import { toJson } from './format-json.ts'
import { formatPin } from './format-text.ts'

export const FROM_FILE: FlagDef = { names: ['from-file'], kind: 'string', usage: 'read the CIDs from this file (one per line; "-": stdin)', hidden: true }

/** Where the CIDs come from, when this is a batch command. */
export function batchSource (ctx: ActionContext): string | undefined {
  if (ctx.flags.isSet('from-file')) return ctx.flags.string('from-file')
  return ctx.args.length === 1 && ctx.args[0] === '-' ? '-' : undefined
}

async function readSource (ctx: ActionContext, source: string): Promise<string> {
  try {
    if (source !== '-') return await process.getBuiltinModule('node:fs/promises').readFile(source, 'utf8')
    if (ctx.io.readStdin !== undefined) return await ctx.io.readStdin()
    const chunks: Buffer[] = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString('utf8')
  } catch (err) {
    throw new LocalCommandError('reading CIDs', (err as Error).message, 1, { cause: err })
  }
}

export async function runBatch (ctx: ActionContext, source: string, op: 'pin' | 'unpin', options?: PinOptions): Promise<void> {
  const lines = (await readSource(ctx, source)).split('\n').map(l => l.trim()).filter(l => l !== '' && !l.startsWith('#'))
  if (lines.length === 0) throw new LocalCommandError('reading CIDs', `no CID in ${source === '-' ? 'stdin' : source}`)
  let failed = 0
  const cids: CID[] = []
  for (const line of lines) {
    try {
      cids.push(parseCid(line))
    } catch (err) {
      failed++
      ctx.io.stderr(`${line}: error decoding Cid: ${(err as Error).message}\n`)
    }
  }
  if (cids.length > 0) {
    const items = cids.map(cid => ({ op, cid, ...(options === undefined ? {} : { options }) }))
    for await (const result of ctx.api.stream((c) => c.pinBatch(items))) {
      const pin = result.pin
      if (pin !== undefined) {
        emit(ctx, () => formatPin(pin), () => toJson.pin(pin))
      } else {
        failed++
        ctx.io.stderr(`${result.cid}: ${result.error?.message ?? 'failed'}\n`)
      }
    }
  }
  if (failed > 0) throw new LocalCommandError(op === 'pin' ? 'pinning' : 'unpinning', `${failed} of ${lines.length} items failed`)
}
