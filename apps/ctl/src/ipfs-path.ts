/** The path checks Go's client applies before `POST/DELETE /pins/<path>` (boxo path.NewPath). */
import { parseCid } from '@cluster/api'

/** Throws an Error with Go's text (`invalid path "/ipfs/x": invalid cid: …`). */
function checkPath (p: string): string {
  const invalid = (why: string): Error => new Error(`invalid path ${JSON.stringify(p)}: ${why}`)
  if (!p.startsWith('/')) throw invalid('path does not have enough components')
  const parts = ['', ...p.split('/').filter((s) => s !== '')]
  if (parts.length < 3) throw invalid('path does not have enough components')
  const ns = parts[1]
  if (ns !== 'ipfs' && ns !== 'ipns' && ns !== 'ipld') throw invalid(`unknown namespace "${ns ?? ''}"`)
  if (ns !== 'ipns') {
    try {
      parseCid(parts[2]!)
    } catch (err) {
      throw invalid((err as Error).message)
    }
  }
  return p
}

/** `Qm…` → `/ipfs/Qm…`; a valid `/ipfs|ipns|ipld/…` path is kept. */
export function toIpfsPath (arg: string): string {
  try {
    return checkPath(arg)
  } catch {
    return checkPath(`/ipfs/${arg}`)
  }
}
