/**
 * Progress of long work (an upload, `--wait`, a listing) as one line on stderr, redrawn in
 * place at most 10 times a second and erased when the work ends. Only when stderr is a terminal
 * and `--no-progress` is not given (`ctx.progress`): through pipes nothing is written, so the
 * output stays Go's byte for byte. While the line is shown, every write of the command (stdout or
 * stderr) erases it first; the next tick draws it again below.
 */
import { stdoutDrained, type ActionContext } from './context.ts'
import type { CtlIo } from './io.ts'

/** Time between two redraws (at most 10 a second); also the delay before the first one. */
export const REDRAW_MS = 100
/** Carriage return + erase to the end of the line. */
export const ERASE = '\r\u001b[K'

export interface Progress {
  /** `ctx.io` whose writes erase the line first. */
  readonly io: CtlIo
  /** Stops redrawing and erases the line (idempotent). */
  stop: () => void
}

/**
 * Draws `render(elapsedMs)` every REDRAW_MS when it changed. A command that ends within the
 * first REDRAW_MS never shows anything.
 */
export function startProgress (ctx: ActionContext, render: (elapsedMs: number) => string): Progress {
  const io = ctx.io
  if (ctx.progress !== true) return { io, stop: () => undefined }
  const started = Date.now()
  let shown = ''
  const erase = (): void => {
    if (shown === '') return
    shown = ''
    io.stderr(ERASE)
  }
  const draw = (): void => {
    const columns = io.stderrColumns?.() ?? 0
    const width = Math.max(10, (columns > 0 ? columns : 80) - 1)
    let text = render(Date.now() - started).replace(/[\r\n]/g, ' ')
    if (text.length > width) text = text.slice(0, width - 1) + '…'
    if (text === shown) return
    shown = text
    io.stderr(ERASE + text)
  }
  const timer = setInterval(draw, REDRAW_MS)
  timer.unref()
  let stopped = false
  return {
    io: {
      ...io,
      stdout: (t) => { erase(); io.stdout(t) },
      stderr: (t) => { erase(); io.stderr(t) }
    },
    stop: () => {
      if (stopped) return
      stopped = true
      clearInterval(timer)
      erase()
    }
  }
}

/** Runs `work` with the progress line shown (its ctx's io erases the line before writing). */
export async function withProgress<T> (ctx: ActionContext, render: (elapsedMs: number) => string, work: (ctx: ActionContext) => Promise<T>): Promise<T> {
  const p = startProgress(ctx, render)
  try {
    return await work({ ...ctx, io: p.io })
  } finally {
    p.stop()
  }
}

/** `1,234,567`. */
export const count = (n: number): string => n.toLocaleString('en-US')

/** Binary sizes for the progress line: `512 B`, `3.4 MiB`. */
export function size (n: number): string {
  if (n < 1024) return `${Math.round(n)} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++ }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`
}

/** `4.2 s`, `1m05s`. */
export function elapsed (ms: number): string {
  const s = ms / 1000
  if (s < 60) return `${s.toFixed(1)} s`
  return `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s`
}

/** Per second over the elapsed time (0 in the first instant). */
export const perSecond = (n: number, ms: number): number => ms < 1 ? 0 : n * 1000 / ms

/**
 * A listing streamed to stdout with `<what>: N pins received, R/s` on the progress line
 * (`pin ls`, `status`, `recover` without CID).
 */
export async function countedStream<T> (ctx: ActionContext, what: string, items: AsyncIterable<T>, each: (ctx: ActionContext, item: T) => void): Promise<void> {
  let n = 0
  const render = (ms: number): string => `${what}: ${count(n)} ${n === 1 ? 'pin' : 'pins'} received, ${count(Math.round(perSecond(n, ms)))}/s (${elapsed(ms)})`
  await withProgress(ctx, render, async (c) => {
    for await (const item of items) {
      each(c, item)
      n++
      await stdoutDrained(c)
    }
  })
}
