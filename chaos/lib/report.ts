// The campaign's table: Markdown (with each crash's log tail) and JSON under bench/results/,
// next to the benchmark results and with the same machine facts.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { machine, resultsDir } from '../../scripts/lib/bench-results.ts'
import type { Mode } from './mode.ts'
import type { ScenarioResult } from './scenario.ts'

const list = (xs: number[]): string => xs.length === 0 ? '—' : xs.join('/')

/** Where the lost pins are missing, e.g. `missing on peer1: 1752`. */
function missingText (r: ScenarioResult): string {
  const per = (r.verdict?.missing ?? []).flatMap((n, i) => n > 0 ? [`peer${i}: ${n}`] : [])
  return [per.length === 0 ? 'no peer answered' : `missing on ${per.join(', ')}`, ...(r.lostEverywhere > 0 ? [`${r.lostEverywhere} on no peer`] : [])].join('; ')
}

export function markdown (results: ScenarioResult[], mode: Mode, seconds: number, date: string): string {
  const m = machine()
  const failed = results.filter(r => !r.ok).length
  const rows = results.map(r => [
    r.name,
    r.ok ? 'ok' : '**FAILED**',
    r.acked,
    r.lost === 0 ? '0' : `**${r.lost}** (${missingText(r)})`,
    r.crashes.length === 0 ? '0' : `**${r.crashes.length}** (peer${r.crashes.map(c => c.peer).join(', peer')})`,
    r.notCaughtUp.length === 0 ? '0' : `**${r.notCaughtUp.length}** (peer${r.notCaughtUp.join(', peer')})`,
    r.longestGapS.toFixed(1),
    r.slowestAckS.toFixed(1),
    list(r.pinCounts),
    `${list(r.rssBeforeMiB)} → ${list(r.rssAfterMiB)}`,
    r.seconds.toFixed(0),
    [...r.notes, ...(r.error === undefined ? [] : [`harness: ${r.error}`])].join('; ').replace(/\|/g, '\\|').replace(/\n/g, ' ')
  ].join(' | '))
  const failures = results.filter(r => (r.load?.failed ?? 0) > 0).map(r => `- **${r.name}**: ${r.load?.failed ?? 0} failed: ${(r.load?.failures ?? []).map(([text, n]) => `${n} × \`${text}\``).join(', ')}`)
  const block = (title: string, text: string): string => `### ${title}\n\n\`\`\`\n${text}\n\`\`\`\n`
  const crashes = results.flatMap(r => r.crashes.map(c => block(`${r.name}: peer${c.peer} exited (code ${String(c.code)}, signal ${String(c.signal)})`, c.logTail)))
  const behind = results.flatMap(r => Object.entries(r.behindLogTails).map(([key, text]) => {
    const i = Number(key)
    const count = r.pinCounts[i] ?? -1
    return block(`${r.name}: peer${i}, ${count >= 0 ? `${count} pins listed` : `no answer (${r.verdict?.errors[i] ?? ''})`}`, text)
  }))
  return [
    `# Fault campaign, ${mode.name} mode (${date})`,
    '',
    `Machine: ${m.cpus} × ${m.cpu}, ${m.memGiB} GiB, Node ${m.node}. Campaign time ${(seconds / 60).toFixed(1)} min; ${results.length - failed} of ${results.length} scenarios passed.`,
    '',
    `Each scenario: a 3-peer cluster (Raft; CRDT for the scenarios named \`crdt:\`) of the built \`ipfs-cluster-service\` (cluster secret set, replication factor 2; a new one, or the previous scenario's when that one passed on the same kind of cluster), ${mode.clients} clients posting \`POST /pins/<cid>\` to the live peers, the fault, then a wait of at most ${mode.settleMs / 1000} s for every peer to list every acknowledged pin and to agree on the pinset.`,
    `lost = acknowledged pins missing from some peer's \`GET /allocations\`; crashes = daemons that exited without the campaign killing them; not caught up = peers whose pinset differs from the leader's, or with CRDT the largest one (or that did not answer); longest gap = longest time without an acknowledged pin; slowest ack = the longest a client waited for an acknowledged pin (requests time out after ${mode.requestTimeoutMs / 1000} s).`,
    '',
    '| scenario | result | acked pins | lost | crashes | not caught up | longest gap (s) | slowest ack (s) | pins per peer | RSS per peer before → after (MiB) | time (s) | notes |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(r => `| ${r} |`),
    '',
    '## Scenarios',
    '',
    ...results.map(r => `- **${r.name}**: ${r.what}`),
    ...(failures.length === 0 ? [] : ['', '## Requests that failed (most frequent answers; not acknowledged, so not counted as lost)', '', ...failures]),
    ...(crashes.length === 0 ? [] : ['', '## Crashes (last lines of the daemon log)', '', ...crashes]),
    ...(behind.length === 0 ? [] : ['', '## Peers not caught up (last lines of the daemon log)', '', ...behind])
  ].join('\n') + '\n'
}

/** Writes `chaos-<date>[-small].{md,json}`; returns the Markdown path. */
export function writeReport (results: ScenarioResult[], mode: Mode, seconds: number): string {
  mkdirSync(resultsDir, { recursive: true })
  const date = new Date().toISOString().slice(0, 10)
  const name = `chaos-${date}${mode.name === 'small' ? '-small' : ''}`
  writeFileSync(join(resultsDir, `${name}.json`), JSON.stringify({ name: 'chaos', date, mode, machine: machine(), seconds, results }, null, 2) + '\n')
  const path = join(resultsDir, `${name}.md`)
  writeFileSync(path, markdown(results, mode, seconds, date))
  return path
}
