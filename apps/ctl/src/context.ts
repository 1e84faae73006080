/** What every command action receives, and the output helpers shared by the actions. */
import type { Api } from './api-call.ts'
import type { Flags } from './flags.ts'
import type { CtlIo } from './io.ts'

export type Encoding = 'text' | 'json'

export interface ActionContext {
  io: CtlIo
  enc: Encoding
  api: Api
  /** The command's own flags. */
  flags: Flags
  /** Positional arguments. */
  args: string[]
  /** Draw progress lines on stderr (a terminal, no `--no-progress`): see progress.ts. */
  progress?: boolean
}

/** Prints an object in the selected encoding. */
export function emit (ctx: ActionContext, text: () => string, json: () => string): void {
  ctx.io.stdout(ctx.enc === 'json' ? json() : text())
}

/**
 * Prints a stream as items arrive; a failure after some items propagates after them (Go
 * prints the partial results, then the error block).
 */
export async function emitStream<T> (ctx: ActionContext, items: AsyncIterable<T>, text: (v: T) => string, json: (v: T) => string): Promise<void> {
  for await (const item of items) {
    emit(ctx, () => text(item), () => json(item))
    await stdoutDrained(ctx)
  }
}

/** Waits while stdout's reader is behind (nothing to wait for, most of the time). */
export async function stdoutDrained (ctx: ActionContext): Promise<void> {
  const wait = ctx.io.drained?.()
  if (wait !== undefined) await wait
}

export type Action = (ctx: ActionContext) => Promise<void>
