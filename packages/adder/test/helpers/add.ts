/** Runs our adder on a body and collects its outputs and blocks. */
import { decodeAddParams } from '@cluster/api'
import type { AddParams, CID } from '@cluster/api'
import { addUpload } from '../../src/index.ts'
import type { AddedNode, Block } from '../../src/index.ts'
import { pieces } from '@cluster/test-utils'
import type { Body } from '@cluster/test-utils'

export class MemorySink {
  readonly blocks = new Map<string, Block>()
  readonly order: string[] = []
  puts = 0

  async put (block: Block): Promise<void> {
    this.puts++
    const key = block.cid.toString()
    this.blocks.set(key, block)
    this.order.push(key)
  }

  get (cid: CID): Block | undefined {
    return this.blocks.get(cid.toString())
  }
}

export function params (query: Record<string, string> = {}): AddParams {
  return decodeAddParams(new URLSearchParams(query))
}

export interface AddRun {
  outputs: AddedNode[]
  sink: MemorySink
}

export async function runAdd (body: Body, query: Record<string, string> = {}, sink = new MemorySink(), sizes?: number[]): Promise<AddRun> {
  const outputs: AddedNode[] = []
  for await (const out of addUpload({ contentType: body.contentType, body: pieces(body.bytes, sizes) }, params(query), sink)) {
    outputs.push(out)
  }
  return { outputs, sink }
}

/** Outputs as Kubo's `add` JSON lines (`Name`, `Hash`, `Size`), progress entries left out. */
export function asKubo (outputs: AddedNode[]): Array<{ Name: string, Hash: string, Size: string }> {
  return outputs.filter(o => o.cid !== undefined).map(o => ({ Name: o.name, Hash: o.cid!.toString(), Size: String(o.size) }))
}
