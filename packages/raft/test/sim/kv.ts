/** The simulator's replicated state machine: a key/value map with at-most-once commands. */

export interface KvCommand {
  /** Unique operation id (client + sequence); applied at most once. */
  id: string
  op: 'put' | 'get'
  key: string
  value?: string
}

const enc = new TextEncoder()
const dec = new TextDecoder()

export function encodeCommand (c: KvCommand): Uint8Array {
  return enc.encode(JSON.stringify(c))
}

export function decodeCommand (data: Uint8Array): KvCommand {
  return JSON.parse(dec.decode(data)) as KvCommand
}

export class KvState {
  readonly data = new Map<string, string>()
  readonly seen = new Set<string>()

  /** Applies a command; `fresh` is false for a duplicate (already applied) command. */
  apply (c: KvCommand): { value: string | null, fresh: boolean } {
    if (this.seen.has(c.id)) return { value: this.data.get(c.key) ?? null, fresh: false }
    this.seen.add(c.id)
    if (c.op === 'put') this.data.set(c.key, c.value ?? '')
    return { value: this.data.get(c.key) ?? null, fresh: true }
  }

  get (key: string): string | null {
    return this.data.get(key) ?? null
  }

  snapshot (): Uint8Array {
    return enc.encode(JSON.stringify({ data: [...this.data], seen: [...this.seen] }))
  }

  static restore (bytes: Uint8Array): KvState {
    const s = new KvState()
    if (bytes.length === 0) return s
    const o = JSON.parse(dec.decode(bytes)) as { data: Array<[string, string]>, seen: string[] }
    for (const [k, v] of o.data) s.data.set(k, v)
    for (const id of o.seen) s.seen.add(id)
    return s
  }
}
