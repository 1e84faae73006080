// A replicated key-value map: the state machine used by the README example and the driver tests.
import type { StateMachine } from '../src/node.ts'

export type KvCommand = { op: 'put', key: string, value: string } | { op: 'delete', key: string }

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function encodeCommand (cmd: KvCommand): Uint8Array {
  return encoder.encode(JSON.stringify(cmd))
}

export class KvStore implements StateMachine<string | undefined> {
  readonly data = new Map<string, string>()

  /** Returns the previous value of the key. */
  apply (payload: Uint8Array): string | undefined {
    const cmd = JSON.parse(decoder.decode(payload)) as KvCommand
    const previous = this.data.get(cmd.key)
    if (cmd.op === 'put') this.data.set(cmd.key, cmd.value)
    else this.data.delete(cmd.key)
    return previous
  }

  snapshot (): Uint8Array {
    return encoder.encode(JSON.stringify([...this.data]))
  }

  restore (data: Uint8Array): void {
    this.data.clear()
    if (data.length === 0) return
    for (const [k, v] of JSON.parse(decoder.decode(data)) as Array<[string, string]>) this.data.set(k, v)
  }
}
