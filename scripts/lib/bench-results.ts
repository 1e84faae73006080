// Shared by the benchmark scripts: machine facts, medians, and writing results as JSON + Markdown
// under bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results')

export function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] as number : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

export function machine (): Record<string, string | number> {
  return { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? '', memGiB: Math.round(totalmem() / 2 ** 30) }
}

export interface BenchRow { workload: string, unit: string, median: number, min: number, max: number, runs: number, note?: string }

export function summarize (workload: string, unit: string, samples: number[], note?: string): BenchRow {
  return { workload, unit, median: median(samples), min: Math.min(...samples), max: Math.max(...samples), runs: samples.length, ...(note === undefined ? {} : { note }) }
}

/** Writes `<name>-<date>.json` and `.md` and prints the table. */
export function writeResults (name: string, rows: BenchRow[], extra: Record<string, unknown> = {}): void {
  mkdirSync(resultsDir, { recursive: true })
  const date = new Date().toISOString().slice(0, 10)
  const fmt = (n: number): string => Math.abs(n) >= 100 ? String(Math.round(n)) : String(Number(n.toPrecision(4)))
  const table = ['| workload | median | min | max | unit | runs | note |', '|---|---|---|---|---|---|---|',
    ...rows.map(r => `| ${r.workload} | ${fmt(r.median)} | ${fmt(r.min)} | ${fmt(r.max)} | ${r.unit} | ${r.runs} | ${r.note ?? ''} |`)].join('\n')
  const m = machine()
  const md = `# ${name} (${date})\n\nMachine: ${m.cpus} × ${m.cpu}, ${m.memGiB} GiB, Node ${m.node}\n\n${table}\n`
  writeFileSync(join(resultsDir, `${name}-${date}.json`), JSON.stringify({ name, date, machine: m, rows, ...extra }, null, 2) + '\n')
  writeFileSync(join(resultsDir, `${name}-${date}.md`), md)
  console.log(md)
}
