// Rows of a Go-vs-ours benchmark (medians, min–max, ours/Go ratio) and their report in
// bench/results/<name>-<date>[-quick].{json,md}, in the form of bench/side-by-side.ts.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { machine, median, resultsDir } from '../../scripts/lib/bench-results.ts'

export type Side = 'go' | 'ts'
export interface Stats { median: number, min: number, max: number, runs: number, samples: number[] }
export interface Row { workload: string, unit: string, better: 'higher' | 'lower', go: Stats, ts: Stats, ratio: number, note: string }

export const log = (...args: unknown[]): void => { console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...args) }

export function fmt (n: number): string {
  if (!Number.isFinite(n)) return '—'
  return Math.abs(n) >= 100 ? String(Math.round(n)) : String(Number(n.toPrecision(3)))
}

export function stats (samples: number[]): Stats {
  const ok = samples.filter(s => Number.isFinite(s))
  if (ok.length === 0) return { median: NaN, min: NaN, max: NaN, runs: 0, samples }
  return { median: median(ok), min: Math.min(...ok), max: Math.max(...ok), runs: ok.length, samples }
}

/** Empty samples per side. */
export const perSide = (): Record<Side, number[]> => ({ go: [], ts: [] })

export class Report {
  readonly rows: Row[] = []
  readonly details: Record<string, unknown> = {}
  private readonly startedAt = performance.now()
  private readonly name: string
  private readonly title: string
  private readonly quick: boolean

  constructor (name: string, title: string, quick: boolean) {
    this.name = name
    this.title = title
    this.quick = quick
  }

  add (workload: string, unit: string, better: 'higher' | 'lower', samples: Record<Side, number[]>, note = ''): void {
    const go = stats(samples.go)
    const ts = stats(samples.ts)
    this.rows.push({ workload, unit, better, go, ts, ratio: ts.median / go.median, note })
    log(`${workload}: Go ${fmt(go.median)} ${unit}, ours ${fmt(ts.median)} ${unit} (ours/Go ${fmt(ts.median / go.median)}) ${note}`)
  }

  /** Writes the JSON and Markdown files (into `dir`, bench/results/ by default); `setup` describes both clusters. */
  write (setup: string, params: unknown, notes: string[] = [], dir = resultsDir): string {
    mkdirSync(dir, { recursive: true })
    const date = new Date().toISOString().slice(0, 10)
    const m = machine()
    const cell = (s: Stats): string => s.runs === 0 ? 'failed' : `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`
    const verdict = (r: Row): string => {
      if (!Number.isFinite(r.ratio)) return '—'
      const better = r.better === 'higher' ? r.ratio >= 1 : r.ratio <= 1
      return `${fmt(r.ratio)}${better ? '' : ' ✗'}`
    }
    const table = [
      '| workload | unit | Go v1.1.6: median (min–max) | ours: median (min–max) | ours/Go | note |',
      '|---|---|---|---|---|---|',
      ...this.rows.map(r => `| ${r.workload} | ${r.unit} (${r.better} is better) | ${cell(r.go)} | ${cell(r.ts)} | ${verdict(r)} | ${r.note} |`)
    ].join('\n')
    const minutes = ((performance.now() - this.startedAt) / 60_000).toFixed(1)
    const md = `# ${this.title} (${date}${this.quick ? ', quick mode' : ''})\n\n` +
      `Machine: ${m.cpus} × ${m.cpu}, ${m.memGiB} GiB, Node ${m.node}. Suite time ${minutes} min.\n` +
      `${setup} ✗ marks where ours is worse.\n\n${table}\n` +
      (notes.length > 0 ? `\nNotes:\n\n${notes.map(n => `- ${n}`).join('\n')}\n` : '')
    const base = join(dir, `${this.name}-${date}${this.quick ? '-quick' : ''}`)
    writeFileSync(`${base}.json`, JSON.stringify({ name: this.name, date, quick: this.quick, machine: m, minutes: Number(minutes), params, rows: this.rows, details: this.details, notes }, null, 2) + '\n')
    writeFileSync(`${base}.md`, md)
    console.log('\n' + md)
    console.log(`written: ${base}.{json,md}`)
    return base
  }
}
