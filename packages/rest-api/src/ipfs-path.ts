/**
 * IPFS paths as boxo's path.NewPath validates them (what Go's REST API uses for
 * `/pins/{ipfs|ipns|ipld}/{path}`): at least two segments, `ipfs`/`ipld` followed by a CID.
 */
import { isPeerId, parseCid } from '@cluster/api'
import { cleanPath } from './clean-path.ts'

export class InvalidIpfsPathError extends Error {
  override readonly name = 'InvalidIpfsPathError'
  readonly code = 'ERR_INVALID_IPFS_PATH'
}

function segments (str: string): string[] {
  let s = cleanPath(str)
  if (s === '.') return []
  s = s.replace(/\/$/, '').replace(/^\//, '')
  return s === '' ? [] : s.split('/')
}

/** Returns the cleaned path (trailing slash kept), or throws with boxo's message. */
export function parseIpfsPath (str: string): string {
  const invalid = (detail: string): InvalidIpfsPathError =>
    new InvalidIpfsPathError(`invalid path ${JSON.stringify(str)}: ${detail}`)
  const segs = segments(str)
  if (segs.length < 2) throw invalid('path does not have enough components')
  switch (segs[0]) {
    case 'ipfs':
    case 'ipld':
      try {
        parseCid(segs[1]!)
      } catch (err) {
        throw invalid((err as Error).message)
      }
      break
    case 'ipns':
      // Checked here rather than by Kubo, which answers a malformed name with an error the
      // cluster could only pass on as a server error.
      if (!isIpnsName(segs[1]!)) throw invalid(`invalid IPNS name ${JSON.stringify(segs[1])}: not a key (peer ID or CID) nor a domain name`)
      break
    default:
      throw invalid(`unknown namespace: ${JSON.stringify(segs[0])}`)
  }
  const cleaned = cleanPath(str)
  return str.endsWith('/') ? cleaned + '/' : cleaned
}

/** A DNS name: letters, digits, `-` and `_` in labels of 1–63 characters, 253 at most in all. */
const DOMAIN = /^(?=.{1,253}\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/

/** What can follow `/ipns/`: a key (a peer ID, or a CID of one) or a DNSLink domain. */
function isIpnsName (name: string): boolean {
  if (DOMAIN.test(name)) return true
  if (isPeerId(name)) return true
  try {
    parseCid(name)
    return true
  } catch {
    return false
  }
}
