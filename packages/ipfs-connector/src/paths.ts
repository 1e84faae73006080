import type { CID } from 'multiformats/cid'
import { parseCid } from '@cluster/api'
import { InvalidArgumentError } from './errors.ts'

/** A parsed content path: `/ipfs/<cid>/…`, `/ipld/<cid>/…` or `/ipns/<name>/…`. */
export interface ContentPath {
  namespace: 'ipfs' | 'ipld' | 'ipns'
  /** Root segment: a CID for ipfs/ipld, a name or key for ipns. */
  root: string
  /** The CID of an immutable path's root. */
  cid?: CID
  /** Further non-empty segments. */
  rest: string[]
}

function tryParse (text: string): ContentPath | undefined {
  if (!text.startsWith('/')) return undefined
  const [, namespace, root, ...rest] = text.split('/')
  if (namespace !== 'ipfs' && namespace !== 'ipld' && namespace !== 'ipns') return undefined
  if (root === undefined || root === '') return undefined
  const segments = rest.filter(s => s !== '')
  if (namespace === 'ipns') return { namespace, root, rest: segments }
  try {
    return { namespace, root, cid: parseCid(root), rest: segments }
  } catch {
    return undefined
  }
}

/** Parse a path; a bare CID (or `<cid>/a/b`) is read as `/ipfs/<…>` (§2.11 step 1). */
export function parseContentPath (input: string): ContentPath {
  const parsed = tryParse(input) ?? tryParse(`/ipfs/${input}`)
  if (parsed === undefined) throw new InvalidArgumentError(`invalid path ${JSON.stringify(input)}: not an /ipfs/, /ipld/ or /ipns/ path nor a CID`)
  return parsed
}

/** The path as text, e.g. `/ipfs/bafy…/dir/file.txt`. */
export function formatContentPath (p: ContentPath): string {
  return `/${p.namespace}/${p.root}${p.rest.map(s => `/${s}`).join('')}`
}
