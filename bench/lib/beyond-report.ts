// Results of bench/beyond.ts: rows measured on our cluster, with Go IPFS Cluster v1.1.6 beside
// them where Go can do the same thing (else the reason it cannot), plus free-form tables;
// written to bench/results/<name>-<date>[-quick].{json,md} like bench/lib/report.ts.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { machine, resultsDir } from '../../scripts/lib/bench-results.ts'
import { fmt, log, stats, type Stats } from './report.ts'

export interface BeyondRow { workload: string, unit: string, better: 'higher' | 'lower', ours: Stats, go: Stats | string, ratio: number, note: string }

/** "median (min–max)", or "failed" when no sample is a number. */
export const cell = (s: Stats): string => s.runs === 0 ? 'failed' : s.min === s.max ? fmt(s.median) : `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`

export class BeyondReport {
  readonly rows: BeyondRow[] = []
  readonly tables: string[] = []
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

  /** A row: our samples, and Go's samples or why Go has none. */
  add (workload: string, unit: string, better: 'higher' | 'lower', ours: number[], go: number[] | string, note = ''): void {
    const o = stats(ours)
    const g = typeof go === 'string' ? go : stats(go)
    const ratio = typeof g === 'string' ? NaN : o.median / g.median
    this.rows.push({ workload, unit, better, ours: o, go: g, ratio, note })
    log(`${workload}: ours ${fmt(o.median)} ${unit}${typeof g === 'string' ? '' : `, Go ${fmt(g.median)} ${unit} (ours/Go ${fmt(ratio)})`} ${note}`)
  }

  /** A Markdown table of its own (a heading, then rows of cells). */
  table (heading: string, header: string[], lines: string[][]): void {
    this.tables.push(`### ${heading}\n\n| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|\n${lines.map(l => `| ${l.join(' | ')} |`).join('\n')}\n`)
  }

  write (setup: string, params: unknown, notes: string[] = [], dir = resultsDir): string {
    mkdirSync(dir, { recursive: true })
    const date = new Date().toISOString().slice(0, 10)
    const m = machine()
    const verdict = (r: BeyondRow): string => {
      if (!Number.isFinite(r.ratio)) return '—'
      const better = r.better === 'higher' ? r.ratio >= 1 : r.ratio <= 1
      return `${fmt(r.ratio)}${better ? '' : ' ✗'}`
    }
    const rows = this.rows.length === 0
      ? ''
      : ['| workload | unit | ours: median (min–max) | Go v1.1.6: median (min–max) | ours/Go | note |', '|---|---|---|---|---|---|',
          ...this.rows.map(r => `| ${r.workload} | ${r.unit} (${r.better} is better) | ${cell(r.ours)} | ${typeof r.go === 'string' ? r.go : cell(r.go)} | ${verdict(r)} | ${r.note} |`)
        ].join('\n') + '\n'
    const minutes = ((performance.now() - this.startedAt) / 60_000).toFixed(1)
    const md = `# ${this.title} (${date}${this.quick ? ', quick mode' : ''})\n\n` +
      `Machine: ${m.cpus} × ${m.cpu}, ${m.memGiB} GiB, Node ${m.node}. Suite time ${minutes} min.\n` +
      `${setup} ✗ marks where ours is worse.\n\n${this.tables.join('\n')}${this.tables.length > 0 ? '\n' : ''}${rows}` +
      (notes.length > 0 ? `\nNotes:\n\n${notes.map(n => `- ${n}`).join('\n')}\n` : '')
    const base = join(dir, `${this.name}-${date}${this.quick ? '-quick' : ''}`)
    writeFileSync(`${base}.json`, JSON.stringify({ name: this.name, date, quick: this.quick, machine: m, minutes: Number(minutes), params, rows: this.rows, tables: this.tables, details: this.details, notes }, null, 2) + '\n')
    writeFileSync(`${base}.md`, md)
    console.log('\n' + md)
    console.log(`written: ${base}.{json,md}`)
    return base
  }
}
