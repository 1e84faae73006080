/**
 * What `ipfs-cluster-service init --consensus raft` writes (config.md §7.2 steps 5–12): the
 * default `service.json` (optionally with random ports, environment overrides, a given secret
 * and `--peers`), a new `identity.json` when there is none, and the peerstore file. Taking the
 * lock and asking before overwriting are the command line's job and happen before this.
 */
import { multiaddrPeerId, parseMultiaddr } from '@cluster/api'
import { ConfigError, messageOf } from './errors.ts'
import type { Env } from './env.ts'
import { configPaths, ensureConfigFolder } from './folder.ts'
import { applyIdentityEnv, generateIdentity, writeIdentityFile } from './identity.ts'
import type { ConfigWarning } from './json-reader.ts'
import { peerstorePath, writePeerstoreFile } from './peerstore.ts'
import { randomizePorts } from './random-ports.ts'
import { pathExists, writeTextFile0600 } from './replace-file.ts'
import { decodeSecret } from './secret.ts'
import {
  applyServiceConfigEnv, defaultServiceConfig, formatServiceConfig, formatSourceConfig
} from './service-config.ts'
import type { ServiceConfig } from './service-config.ts'

export interface InitOptions {
  /** Absolute configuration folder (see `resolveConfigFolder`). */
  folder: string
  /** Environment overrides; they are written into `service.json`. Default: none. */
  env?: Env
  /** `--randomports`. */
  randomPorts?: boolean
  /** `--peers` value: comma-separated multiaddresses with `/p2p/<id>`. */
  peers?: string
  /** Secret typed at the `--custom-secret` prompt (64 hex characters). */
  customSecret?: string
  /** `init <url>`: `service.json` only points to this source. */
  sourceUrl?: string
  /** Peer name (default: hostname). */
  peername?: string
  /** `--consensus` (default crdt, as Go). */
  consensus?: 'crdt' | 'raft'
}

export interface InitResult {
  servicePath: string
  identityPath: string
  peerstorePath: string
  /** The configuration written (defaults when a source URL was given). */
  config: ServiceConfig
  /** False when an existing `identity.json` was kept. */
  identityCreated: boolean
  /** Number of `--peers` addresses. */
  peerCount: number
  /** The lines Go prints to stderr, in order (without their final newline). */
  messages: string[]
  warnings: ConfigWarning[]
}

/**
 * Parses `--peers`: comma-separated, trimmed multiaddresses. A bad one throws ConfigError
 * `error parsing peer multiaddress: <addr>: …`. Returns the canonical addresses and their
 * distinct peer IDs, in order.
 */
export function parsePeersOption (value: string | undefined): { addrs: string[], peerIds: string[] } {
  const addrs: string[] = []
  const peerIds: string[] = []
  if (value === undefined || value === '') return { addrs, peerIds }
  for (const raw of value.split(',')) {
    const text = raw.trim()
    let addr: string
    try {
      addr = parseMultiaddr(text)
    } catch (err) {
      throw new ConfigError(`error parsing peer multiaddress: ${text}: ${messageOf(err)}`, { cause: err })
    }
    addrs.push(addr)
    let id: string | undefined
    try {
      id = multiaddrPeerId(addr)
    } catch {
      id = undefined
    }
    if (id !== undefined && !peerIds.includes(id)) peerIds.push(id)
  }
  return { addrs, peerIds }
}


/**
 * Writes a fresh configuration folder. Errors are ConfigError (or a subclass) whose message is
 * the line Go prints (`error parsing peer multiaddress: …`, `error parsing user-provided
 * secret: …`, `error saving peers to peerstore: …`); as in Go, a bad `--peers` address without
 * `/p2p/` fails only after `service.json` was written.
 */
export async function initConfigFolder (opts: InitOptions): Promise<InitResult> {
  const env = opts.env ?? {}
  const paths = configPaths(opts.folder)
  const warnings: ConfigWarning[] = []
  let config = defaultServiceConfig({ consensus: opts.consensus ?? 'crdt', ...(opts.peername === undefined ? {} : { peername: opts.peername }) })
  if (opts.randomPorts === true) {
    // One call for every listener: ports found on 0.0.0.0 and on 127.0.0.1 one after the other
    // can be the same number, and the second listener would then fail with EADDRINUSE.
    const { cluster, api } = config
    const lists = [cluster.listenMultiaddress, api.restapi.httpListenMultiaddress, api.ipfsproxy.listenMultiaddress, api.pinsvcapi.httpListenMultiaddress]
    const random = await randomizePorts(lists.flat())
    const next = (n: number): string[] => random.splice(0, n)
    cluster.listenMultiaddress = next(lists[0]!.length)
    api.restapi.httpListenMultiaddress = next(lists[1]!.length)
    api.ipfsproxy.listenMultiaddress = next(lists[2]!.length)
    api.pinsvcapi.httpListenMultiaddress = next(lists[3]!.length)
  }
  config = applyServiceConfigEnv(config, env, warnings)
  if (opts.customSecret !== undefined && opts.sourceUrl === undefined) {
    try {
      config.cluster.secret = decodeSecret(opts.customSecret)
    } catch (err) {
      throw new ConfigError(`error parsing user-provided secret: ${messageOf(err)}`, { cause: err })
    }
  }
  const peers = parsePeersOption(opts.peers)
  // Raft: the initial members; CRDT: the trusted peers (trust-all off), as Go's init does.
  if (peers.addrs.length > 0) {
    config.consensus.raft.initPeerset = peers.peerIds
    config.consensus.crdt.trustedPeers = peers.peerIds
  }

  const text = opts.sourceUrl !== undefined && opts.sourceUrl !== '' ? formatSourceConfig(opts.sourceUrl) : formatServiceConfig(config)
  await ensureConfigFolder(opts.folder)
  await writeTextFile0600(paths.service, text)
  const messages = [`configuration written to ${paths.service}.`]

  let identityCreated = false
  if (!(await pathExists(paths.identity))) {
    const identity = applyIdentityEnv(await generateIdentity(), env)
    await writeIdentityFile(paths.identity, identity)
    identityCreated = true
    messages.push(`new identity written to ${paths.identity}`)
  }

  const storePath = peerstorePath(config.cluster, opts.folder)
  try {
    await writePeerstoreFile(storePath, peers.addrs)
  } catch (err) {
    throw new ConfigError(`error saving peers to peerstore: ${messageOf(err)}`, { cause: err })
  }
  messages.push(peers.addrs.length > 0
    ? `peerstore written to ${storePath} with ${peers.addrs.length} entries.`
    : `new empty peerstore written to ${storePath}.`)

  return {
    servicePath: paths.service,
    identityPath: paths.identity,
    peerstorePath: storePath,
    config,
    identityCreated,
    peerCount: peers.addrs.length,
    messages,
    warnings
  }
}
