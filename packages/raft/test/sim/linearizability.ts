/**
 * A small Wing & Gong style linearizability checker for a register per key (puts with
 * unique values, gets). Operations that never returned may take effect at any point after
 * their invocation, or not at all.
 */

export interface HistoryOp {
  id: string
  key: string
  kind: 'put' | 'get'
  /** put: the value written; get: the value read (null = absent). */
  value: string | null
  /** Logical event times (distinct integers). */
  invoke: number
  /** Infinity when the operation never returned. */
  response: number
}

export type CheckResult = { ok: true } | { ok: false, key: string, reason: string } | { ok: 'unknown', key: string }

/** Checks every key independently (a register per key composes). */
export function checkLinearizable (history: readonly HistoryOp[], budget = 2_000_000): CheckResult {
  const byKey = new Map<string, HistoryOp[]>()
  for (const op of history) {
    const list = byKey.get(op.key) ?? []
    list.push(op)
    byKey.set(op.key, list)
  }
  for (const [key, ops] of byKey) {
    const r = checkRegister(prune(ops), budget)
    if (r === 'unknown') return { ok: 'unknown', key }
    if (r !== true) return { ok: false, key, reason: r }
  }
  return { ok: true }
}

/** Drops gets that never returned, and puts that never returned whose value nobody read. */
function prune (ops: HistoryOp[]): HistoryOp[] {
  const read = new Set(ops.filter((o) => o.kind === 'get' && o.response !== Infinity).map((o) => o.value))
  return ops.filter((o) => o.response !== Infinity || (o.kind === 'put' && read.has(o.value)))
}

class BudgetExceeded extends Error {}

/** Depth-first search for a sequential order consistent with real time and register semantics. */
function checkRegister (ops: HistoryOp[], budget: number): true | string | 'unknown' {
  ops = [...ops].sort((a, b) => a.invoke - b.invoke)
  const n = ops.length
  const done = new Uint8Array(n)
  const memo = new Set<string>()
  let visits = 0
  let deepest = 0
  const rec = (from: number, value: string | null): boolean => {
    let first = from
    while (first < n && done[first] === 1) first++
    if (first === n) return true
    deepest = Math.max(deepest, first)
    if (++visits > budget) throw new BudgetExceeded()
    let k = `${first}|${value ?? '\u0000'}|`
    for (let i = first; i < n; i++) if (done[i] === 1) k += `${i},`
    if (memo.has(k)) return false
    memo.add(k)
    // an op may come next if it was invoked before every remaining op returned
    let minResp = Infinity
    for (let i = first; i < n; i++) if (done[i] === 0) minResp = Math.min(minResp, (ops[i] as HistoryOp).response)
    for (let i = first; i < n; i++) {
      const o = ops[i] as HistoryOp
      if (o.invoke > minResp) break
      if (done[i] === 1) continue
      if (o.kind === 'get' && o.value !== value) continue
      done[i] = 1
      const ok = rec(first, o.kind === 'put' ? o.value : value)
      done[i] = 0
      if (ok) return true
    }
    return false
  }
  try {
    if (rec(0, null)) return true
  } catch (err) {
    if (err instanceof BudgetExceeded) return 'unknown'
    throw err
  }
  const stuck = ops[deepest]
  return `no linearization; stuck near op ${stuck?.id ?? '?'} (${stuck?.kind ?? ''} ${String(stuck?.value)})`
}
