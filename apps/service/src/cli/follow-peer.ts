/**
 * What makes a peer run by `ipfs-cluster-follow` a follower (consensus-crdt.md §9), whatever its
 * fetched configuration says: follower mode, CRDT consensus, the REST API on a Unix socket in
 * its folder only, no other API, no metrics or tracing, and `Cluster.RepoGCLocal` closed to the
 * trusted peers. Also where its folders are and how it waits for IPFS.
 */
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Logger } from '@cluster/api'
import { IpfsConnector } from '@cluster/ipfs-connector'
import { applyServiceConfigEnv, crdtDataFolder, defaultServiceConfig, type LoadedConfigFolder, type ServiceConfig } from '../config/index.ts'

/** `~/.ipfs-cluster-follow`: one folder per followed cluster. */
export const FOLLOW_FOLDER = '.ipfs-cluster-follow'
/** Where `init` resolves a DNSLink name (`IPFS_GATEWAY`, hidden `--gateway`). */
export const DEFAULT_GATEWAY = '127.0.0.1:8080'
/** The cluster RPC methods a follower keeps to itself (closed to the trusted peers too). */
export const FOLLOWER_CLOSED_RPC = ['Cluster.RepoGCLocal']
/** How long `run` waits for IPFS before giving up (Go: 2 minutes). */
export const IPFS_WAIT_MS = 120_000

/** The folder holding every followed cluster: `--config`, `$IPFS_CLUSTER_PATH` or `~/.ipfs-cluster-follow`. */
export function followRoot (flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const given = flag ?? env.IPFS_CLUSTER_PATH
  if (given !== undefined && given !== '') return resolve(given)
  return join(env.HOME !== undefined && env.HOME !== '' ? env.HOME : homedir(), FOLLOW_FOLDER)
}

/** The REST API's Unix socket of a follower, in its folder. */
export function socketMultiaddr (folder: string): string {
  return `/unix${join(folder, 'api-socket')}`
}

/** The REST endpoint `info` and `list` talk to: `CLUSTER_RESTAPI_HTTPLISTENMULTIADDRESS` or the socket. */
export function clientEndpoint (folder: string, env: NodeJS.ProcessEnv): string {
  const given = env.CLUSTER_RESTAPI_HTTPLISTENMULTIADDRESS
  return given !== undefined && given !== '' ? given.split(',')[0]!.trim() : socketMultiaddr(folder)
}

/**
 * `init`'s URL: an `http(s)://` URL as given, anything else a DNSLink name read through the
 * gateway. Go builds `<gateway>/ipns/<name>` with a gateway that has no scheme by default, which
 * cannot be fetched; `http://` is added here when the gateway has none.
 */
export function sourceUrlOf (given: string, gateway: string): { url: string, dnslink: boolean } {
  if (given.startsWith('http://') || given.startsWith('https://')) return { url: given, dnslink: false }
  const gw = /^[a-z][a-z0-9+.-]*:\/\//i.test(gateway) ? gateway : `http://${gateway}`
  return { url: `${gw.replace(/\/+$/, '')}/ipns/${given}`, dnslink: true }
}

/** The configuration's changes that make it a follower's (`DaemonFlags.adjust`). */
export function followerSettings (folder: string, env: NodeJS.ProcessEnv): (loaded: LoadedConfigFolder) => void {
  return loaded => {
    const c = loaded.config
    c.cluster.followerMode = true
    // A follower follows a CRDT cluster: a Raft section in the published configuration is ignored.
    c.present.delete('raft')
    c.present.add('crdt')
    // The REST API is rebuilt from its defaults, on the socket, with the environment applied.
    const rest = defaultServiceConfig()
    rest.api.restapi.httpListenMultiaddress = [socketMultiaddr(folder)]
    c.api.restapi = defaultsWithEnv(env, rest).api.restapi
    c.present.add('restapi')
    c.present.delete('pinsvcapi')
    c.present.delete('ipfsproxy')
    // Never expose what a follower pins: no metrics endpoint, no spans.
    c.observations.metrics.enableStats = false
    c.observations.tracing.enableTracing = false
    c.present.delete('metrics')
    c.present.delete('tracing')
  }
}

/** A default configuration (or `base`) with the environment's overrides applied. */
function defaultsWithEnv (env: NodeJS.ProcessEnv, base: ServiceConfig = defaultServiceConfig()): ServiceConfig {
  return applyServiceConfigEnv(base, env as Record<string, string>)
}

/** The CRDT section and folder of a follower when its configuration cannot be read (offline `list`). */
export function defaultCrdt (folder: string) {
  const config = defaultServiceConfig().consensus.crdt
  return { config, dataDir: crdtDataFolder(config, folder) }
}

/**
 * An IPFS connector to the configuration's IPFS, or, without one, to the default address with the
 * environment applied (what Go's follower waits on before it can fetch its configuration).
 */
export function ipfsConnectorOf (env: NodeJS.ProcessEnv, loaded?: LoadedConfigFolder, logger?: Logger): IpfsConnector {
  const section = loaded?.config.ipfsConnector.ipfshttp ?? defaultsWithEnv(env).ipfsConnector.ipfshttp
  return new IpfsConnector({ config: { ...section, connectSwarmsDelayMs: 0 }, ...(logger === undefined ? {} : { logger }) })
}

/**
 * Waits (the connector asks IPFS for its ID every second) until IPFS answers, saying so in Go's
 * words at the start and every ten failed tries; false when `timeoutMs` passed first.
 */
export async function waitForIpfs (env: NodeJS.ProcessEnv, out: (line: string) => void, timeoutMs = IPFS_WAIT_MS): Promise<boolean> {
  let address = ''
  const waiting = (): void => { out(`waiting for IPFS to become available on ${address}...\n`) }
  const connector = ipfsConnectorOf(env, undefined, level => { if (level === 'warn') waiting() })
  address = connector.config.nodeMultiaddress
  waiting()
  // A timer that holds the process open: the connector's retry timers and AbortSignal.timeout do not.
  const deadline = new AbortController()
  const timer = setTimeout(() => { deadline.abort() }, timeoutMs)
  try {
    await connector.waitForIpfs({ signal: deadline.signal })
    return true
  } catch {
    return false
  } finally {
    clearTimeout(timer)
    connector.shutdown()
  }
}
