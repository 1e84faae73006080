import type { CID } from 'multiformats/cid'
import { multiaddr } from '@multiformats/multiaddr'
import { blockGet, blockPut, blockStat } from './blocks.ts'
import { parsePeerId, type PeerId } from '@cluster/api'
import { toCid, type CidLike } from './cid.ts'
import { deadline } from './deadline.ts'
import { IpfsBadResponseError, InvalidArgumentError, messageOf } from './errors.ts'
import { KuboHttp, type KuboHttpOptions } from './http.ts'
import { formatContentPath, parseContentPath } from './paths.ts'
import { pinAdd, pinAddLocal, pinLs, pinLsCid, pinRm, pinUpdate, type PinAddOptions, type TimeoutOptions } from './pins.ts'
import { targetOf, type HttpTarget } from './target.ts'
import type {
  BlockInput, BlockPutResult, IpfsIdResult, IpfsPinStatus, IpfsVersionResult, PinLsEntry, PinLsType, RepoGcEntry, RepoStat
} from './types.ts'

export interface KuboClientOptions extends KuboHttpOptions {
  /** Kubo RPC address as a multiaddr (`/ip4/127.0.0.1/tcp/5001`, `/unix/<path>`) or a target. */
  address: string | HttpTarget
}

const BIG_FIELDS = new Set(['RepoSize', 'StorageMax', 'NumObjects'])

/**
 * Typed client of the Kubo RPC calls the cluster uses. Each method takes its own deadline
 * (`timeoutMs`, 0 = none) and `signal`; failures are the named errors of `errors.ts`.
 */
export class KuboClient {
  readonly http: KuboHttp

  constructor (options: KuboClientOptions) {
    const target = typeof options.address === 'string' ? targetOf(options.address) : options.address
    this.http = new KuboHttp(target, options)
  }

  /** Close idle keep-alive connections. */
  destroy (): void {
    this.http.destroy()
  }

  /** `id`: peer ID (validated) and the addresses that parse; others are skipped with a warning. */
  async id (options: TimeoutOptions = {}): Promise<IpfsIdResult> {
    const res = await this.http.call('id', [], options)
    const body = await res.json<{ ID?: unknown, Addresses?: unknown, AgentVersion?: unknown }>()
    if (typeof body?.ID !== 'string') throw new IpfsBadResponseError(res.label, 'no ID in answer')
    let id: PeerId
    try {
      id = parsePeerId(body.ID)
    } catch (err) {
      throw new IpfsBadResponseError(res.label, messageOf(err), err)
    }
    const addresses: string[] = []
    for (const a of Array.isArray(body.Addresses) ? body.Addresses : []) {
      try {
        addresses.push(multiaddr(String(a)).toString())
      } catch (err) {
        this.http.logger('warn', `skipping IPFS address ${String(a)}: ${messageOf(err)}`)
      }
    }
    const result: IpfsIdResult = { id, addresses }
    if (typeof body.AgentVersion === 'string') result.agentVersion = body.AgentVersion
    return result
  }

  /** `version`. */
  async version (options: TimeoutOptions = {}): Promise<IpfsVersionResult> {
    const res = await this.http.call('version', [], options)
    const b = await res.json<Record<string, unknown>>()
    if (typeof b?.Version !== 'string') throw new IpfsBadResponseError(res.label, 'no Version in answer')
    const s = (v: unknown): string => typeof v === 'string' ? v : ''
    return { version: b.Version, commit: s(b.Commit), repo: s(b.Repo), system: s(b.System), golang: s(b.Golang) }
  }

  pinAdd (cid: CidLike, options?: PinAddOptions): Promise<string[]> {
    return pinAdd(this.http, cid, options)
  }

  pinAddLocal (cids: readonly CidLike[], options?: PinAddOptions): Promise<string[]> {
    return pinAddLocal(this.http, cids, options)
  }

  pinRm (cid: CidLike, options?: TimeoutOptions): Promise<string[]> {
    return pinRm(this.http, cid, options)
  }

  pinUpdate (from: CidLike, to: CidLike, options?: TimeoutOptions & { unpin?: boolean }): Promise<string[]> {
    return pinUpdate(this.http, from, to, options)
  }

  pinLs (types?: readonly PinLsType[], options?: TimeoutOptions): AsyncGenerator<PinLsEntry> {
    return pinLs(this.http, types, options)
  }

  pinLsCid (cid: CidLike, type: PinLsType, options?: TimeoutOptions): Promise<IpfsPinStatus> {
    return pinLsCid(this.http, cid, type, options)
  }

  /** `swarm/connect?arg=<multiaddr>`. */
  async swarmConnect (addr: string, options: TimeoutOptions = {}): Promise<void> {
    const res = await this.http.call('swarm/connect', [['arg', addr]], options)
    await res.bytes()
  }

  /** `swarm/peers`: peer IDs of connected peers (`Peers: null` → `[]`); a bad ID fails the call. */
  async swarmPeers (options: TimeoutOptions = {}): Promise<PeerId[]> {
    const res = await this.http.call('swarm/peers', [], options)
    const body = await res.json<{ Peers?: unknown }>()
    const peers = Array.isArray(body?.Peers) ? body.Peers : []
    try {
      return peers.map((p: { Peer?: unknown } | null) => parsePeerId(String(p?.Peer)))
    } catch (err) {
      throw new IpfsBadResponseError(res.label, messageOf(err), err)
    }
  }

  /** `repo/stat?size-only=true`, sizes parsed as bigint from the JSON source text. */
  async repoStat (options: TimeoutOptions = {}): Promise<RepoStat> {
    const res = await this.http.call('repo/stat', [['size-only', 'true']], options)
    const body = await res.json<Record<string, unknown>>((key, value, ctx) =>
      BIG_FIELDS.has(key) && typeof value === 'number' && ctx?.source !== undefined ? BigInt(ctx.source) : value)
    const big = (k: string): bigint => {
      const v = body?.[k]
      if (typeof v !== 'bigint') throw new IpfsBadResponseError(res.label, `${k} missing or not an integer`)
      return v
    }
    return { repoSize: big('RepoSize'), storageMax: big('StorageMax'), numObjects: typeof body?.NumObjects === 'bigint' ? body.NumObjects : 0n }
  }

  /** `config/show`: Kubo's whole configuration object. */
  async configShow (options: TimeoutOptions = {}): Promise<Record<string, unknown>> {
    const res = await this.http.call('config/show', [], options)
    const body = await res.json()
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new IpfsBadResponseError(res.label, 'not a JSON object')
    return body as Record<string, unknown>
  }

  blockPut (blocks: AsyncIterable<BlockInput> | Iterable<BlockInput>, options?: TimeoutOptions): AsyncGenerator<BlockPutResult> {
    return blockPut(this.http, blocks, options)
  }

  blockGet (cid: CidLike, options?: TimeoutOptions): Promise<Uint8Array> {
    return blockGet(this.http, cid, options)
  }

  blockStat (cid: CidLike, options?: TimeoutOptions): Promise<{ key: CID, size: number }> {
    return blockStat(this.http, cid, options)
  }

  /**
   * Resolve a path to its root CID (§2.11): a bare CID or `/ipfs/<cid>` with no further
   * segments is answered without calling Kubo; anything else goes to `resolve`, whose answer
   * must be an immutable path.
   */
  async resolve (path: string, options: TimeoutOptions = {}): Promise<CID> {
    const parsed = parseContentPath(path)
    if (parsed.cid !== undefined && parsed.rest.length === 0) return parsed.cid
    const res = await this.http.call('resolve', [['arg', formatContentPath(parsed)]], options)
    const body = await res.json<{ Path?: unknown }>()
    if (typeof body?.Path !== 'string') throw new IpfsBadResponseError(res.label, 'no Path in answer')
    let resolved
    try {
      resolved = parseContentPath(body.Path)
    } catch (err) {
      throw new IpfsBadResponseError(res.label, messageOf(err), err)
    }
    if (resolved.cid === undefined) throw new InvalidArgumentError(`resolved path is mutable: ${body.Path}`)
    return resolved.cid
  }

  /** `name/resolve?arg=<name>`: an IPNS name to the path it points to (recursively). */
  async nameResolve (name: string, options: TimeoutOptions = {}): Promise<string> {
    const res = await this.http.call('name/resolve', [['arg', name]], options)
    const body = await res.json<{ Path?: unknown }>()
    if (typeof body?.Path !== 'string') throw new IpfsBadResponseError(res.label, 'no Path in answer')
    return body.Path
  }

  /** `repo/gc?stream-errors=true`, streamed: removed keys and per-block errors. */
  async * repoGc (options: TimeoutOptions = {}): AsyncGenerator<RepoGcEntry> {
    const dl = deadline(this.http.clock, options.timeoutMs ?? 0, 'repo/gc', options.signal)
    try {
      const res = await this.http.call('repo/gc', [['stream-errors', 'true']], { signal: dl.signal })
      for await (const line of res.lines<{ Key?: unknown, Error?: unknown }>()) {
        const link = line?.Key as { '/'?: unknown } | null | undefined
        let key: CID | null = null
        if (link !== null && link !== undefined) {
          if (typeof link['/'] !== 'string') throw new IpfsBadResponseError(res.label, `unexpected Key ${JSON.stringify(link)}`)
          try {
            key = toCid(link['/'])
          } catch (err) {
            throw new IpfsBadResponseError(res.label, messageOf(err), err)
          }
        }
        const entry: RepoGcEntry = { key }
        if (typeof line?.Error === 'string' && line.Error !== '') entry.error = line.Error
        yield entry
      }
    } finally {
      dl.clear()
    }
  }
}
