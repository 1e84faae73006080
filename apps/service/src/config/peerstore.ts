/**
 * The peerstore file (config.md §1.4): one multiaddress ending in `/p2p/<peer ID>` per line.
 * Reading accepts the older `/ipfs/<peer ID>` (addresses come back in canonical `/p2p/` form).
 */
import { readFile } from 'node:fs/promises'
import { isAbsolute, join } from 'node:path'
import { multiaddrPeerId, parseMultiaddr } from '@cluster/api'
import { PeerstoreError, messageOf } from './errors.ts'
import { replaceFile } from './replace-file.ts'
import { DEFAULT_PEERSTORE_FILE } from './sections/cluster.ts'
import type { ClusterSection } from './sections/cluster.ts'

/**
 * Path of the peerstore file: `cluster.peerstore_file` (default `peerstore`) under the config
 * folder. An absolute `peerstore_file` is used as it is (Go joins it under the folder anyway).
 */
export function peerstorePath (cluster: Pick<ClusterSection, 'peerstoreFile'>, folder: string): string {
  const name = cluster.peerstoreFile === '' ? DEFAULT_PEERSTORE_FILE : cluster.peerstoreFile
  return isAbsolute(name) ? name : join(folder, name)
}

export interface ReadPeerstoreOptions {
  /** Called for every line that is skipped because it does not parse. */
  onWarning?: (message: string) => void
}

/**
 * Reads the peerstore file. Empty lines and lines not starting with `/` are skipped, unparsable
 * ones are reported through `onWarning` and skipped; a missing file gives an empty list.
 */
export async function readPeerstoreFile (path: string, opts: ReadPeerstoreOptions = {}): Promise<string[]> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw new PeerstoreError(`reading ${path}: ${messageOf(err)}`, { cause: err })
  }
  const addrs: string[] = []
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (line === '' || !line.startsWith('/')) continue
    try {
      addrs.push(parseMultiaddr(line))
    } catch (err) {
      opts.onWarning?.(`error parsing multiaddress from ${path}: ${messageOf(err)}`)
    }
  }
  return addrs
}

/** Whether an address has a transport part before its `/p2p/<id>`. */
function hasTransport (addr: string): boolean {
  return !/^\/(p2p|ipfs)\/[^/]+$/.test(addr)
}

/**
 * Writes the peerstore file (replacing it whole, see replace-file.ts): every address in canonical form, each followed by
 * `\n`; an empty list gives an empty file. Every address must carry `/p2p/<id>` (else
 * PeerstoreError `invalid p2p multiaddr`); a bare `/p2p/<id>` has no address to store and is
 * skipped, as Go does.
 */
export async function writePeerstoreFile (path: string, addrs: readonly string[]): Promise<number> {
  const lines: string[] = []
  for (const text of addrs) {
    let addr: string
    try {
      addr = parseMultiaddr(text)
    } catch (err) {
      throw new PeerstoreError(messageOf(err), { cause: err })
    }
    if (multiaddrPeerId(addr) === undefined) throw new PeerstoreError(`invalid p2p multiaddr: ${text}`)
    if (hasTransport(addr)) lines.push(addr + '\n')
  }
  try {
    await replaceFile(path, lines.join(''))
  } catch (err) {
    throw new PeerstoreError(`could not save peer addresses to ${path}: ${messageOf(err)}`, { cause: err })
  }
  return lines.length
}
