import { multiaddr } from '@multiformats/multiaddr'
import { ProxyServer } from '@cluster/proxy'
import { PinSvcApiServer, RestApiServer } from '@cluster/rest-api'
import { ClusterPeer, VERSION } from '../cluster/index.ts'
import {
  consensusOf, formatServiceConfigForDisplay, loadConfigFolder, peerstorePath, serverConfigOf,
  writePeerstoreFile, type LoadedConfigFolder
} from '../config/index.ts'
import { acquireLock } from './lock.ts'
import { CommandError, type Io } from './io.ts'
import { daemonLogger, parseLogLevels, type LogLevels } from './log-levels.ts'
import { startMemoryReducer } from './memory-reducer.ts'
import { peerOptionsOf } from './peer-options.ts'
import { settleInterruptedImport, stateFolderOf } from './state-folder.ts'
import type { RunningStats } from './stats.ts'
import type { RunningTracing } from '@cluster/observability'

export interface DaemonFlags {
  bootstrap?: string
  leave?: boolean
  /** `--stats`: serve metrics whatever `enable_stats` says. */
  stats?: boolean
  /** `--tracing`: export spans whatever `enable_tracing` says. */
  tracing?: boolean
  /** `--loglevel` / `--debug` (default: info everywhere). */
  logLevels?: LogLevels
  /** The peer was removed from the cluster and shut itself down (its Raft folder is cleaned). */
  onRemoved?: () => void
  /**
   * Changes the loaded configuration before anything starts: the settings `ipfs-cluster-follow`
   * imposes whatever the configuration says (see follow-peer.ts).
   */
  adjust?: (loaded: LoadedConfigFolder) => void
  /** RPC methods no other peer may call (see ClusterPeerOptions.closedRpcMethods). */
  closedRpcMethods?: string[]
}

/** A running daemon: the peer, its APIs, and how to stop them. */
export interface RunningDaemon {
  peer: ClusterPeer
  restApi?: RestApiServer
  /** The Pinning Service API (a PinSvcApiServer). */
  pinSvcApi?: RestApiServer
  proxy?: ProxyServer
  /** The metrics endpoint, when stats are on. */
  stats?: RunningStats
  /** The span exporter, when tracing is on. */
  tracing?: RunningTracing
  stop: () => Promise<void>
}

/**
 * `ipfs-cluster-service daemon` (config.md §7.3), up to readiness. Everything it starts is pushed
 * on one stack as it starts, so the same list, in reverse, stops it: on a failed start, on
 * `stop()` and when the peer is removed from the cluster.
 */
export async function startDaemon (folder: string, flags: DaemonFlags, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<RunningDaemon> {
  io.err('Initializing. For verbose output run with "-l debug". Please wait...\n')
  const bootstrap = parseBootstrap(flags.bootstrap)
  const release = await acquireLock(folder).catch((err: Error) => { throw new CommandError(err.message) })
  const running = new AsyncDisposableStack()
  running.defer(release)
  /** Stops what started so far, then fails with `why` (a message becomes a CommandError). */
  const fail = async (why: string | Error): Promise<never> => {
    await running.disposeAsync().catch(() => {})
    throw typeof why === 'string' ? new CommandError(why) : why
  }
  let loaded: LoadedConfigFolder
  let kind: 'raft' | 'crdt'
  try {
    loaded = await loadConfigFolder(folder, { env: env as Record<string, string> })
    flags.adjust?.(loaded)
    kind = consensusOf(loaded.config)
  } catch (err) {
    return await fail(`error loading configurations: ${(err as Error).message}`)
  }
  for (const w of loaded.warnings) io.err(`WARN config: ${typeof w === 'string' ? w : JSON.stringify(w)}\n`)
  const log = daemonLogger(flags.logLevels ?? parseLogLevels(false, 'info'), io)
  for (const item of flags.logLevels?.ignored ?? []) log('warn', `unknown log level in "${item}": ignored`, 'service')
  if (loaded.sourceFallback !== undefined) log('warn', loaded.sourceFallback, 'config')
  else if (loaded.source !== undefined) log('info', `configuration fetched from its source: ${loaded.source}`, 'config')
  log('debug', `Configuration:\n${formatServiceConfigForDisplay(loaded.config)}\n`, 'service')
  const stateFolder = stateFolderOf(loaded, folder)
  try {
    const settled = await settleInterruptedImport(stateFolder)
    if (settled !== undefined) log('warn', settled, 'service')
  } catch (err) {
    return await fail(`error settling an interrupted state import: ${(err as Error).message}`)
  }
  /** Set when the data folder goes once the peer stopped: --leave, leave_on_shutdown, removal. */
  let forget = false
  running.defer(async () => {
    if (forget) await stateFolder.retire().catch(() => {})
  })

  // Metrics and tracing load their modules (prom-client, OpenTelemetry) only when turned on.
  let stats: RunningStats | undefined
  let statsModule: typeof import('./stats.ts') | undefined
  if (flags.stats === true || loaded.config.observations.metrics.enableStats) {
    try {
      statsModule = await import('./stats.ts')
      stats = await statsModule.startStats(loaded.config.observations.metrics)
    } catch (err) {
      return await fail(err as Error)
    }
    const endpoint = stats.endpoint
    running.defer(async () => { await endpoint.stop() })
    log('info', `stats collection enabled on ${loaded.config.observations.metrics.prometheusEndpoint}`, 'observations')
  }
  let tracing: RunningTracing | undefined
  if (flags.tracing === true || loaded.config.observations.tracing.enableTracing) {
    try {
      tracing = await (await import('./tracing.ts')).startDaemonTracing(loaded)
    } catch (err) {
      return await fail(err as Error)
    }
    // Stopped after the peer: the last spans (the shutdown's own) go out before the process ends.
    running.defer(tracing.stop)
    log('info', `tracing enabled: spans go to ${loaded.config.observations.tracing.otlpEndpoint}`, 'observations')
  }
  if (bootstrap.length > 0 && kind === 'raft') {
    await stateFolder.retire().catch(async (err: Error) => await fail(err))
  }

  let peer: ClusterPeer
  try {
    peer = await ClusterPeer.start({
      ...await peerOptionsOf(loaded, bootstrap, message => { log('warn', message, 'pstoremgr') }),
      logger: log,
      ...(flags.closedRpcMethods === undefined ? {} : { closedRpcMethods: flags.closedRpcMethods }),
      ...(stats === undefined ? {} : { metrics: stats.metrics }),
      onRemoved: () => {
        forget = true
        void running.disposeAsync().catch(() => {}).then(() => { flags.onRemoved?.() })
      }
    })
  } catch (err) {
    return await fail(`error creating cluster peer: ${(err as Error).message}`)
  }
  running.defer(async () => {
    // No scrape of a peer that is stopping.
    await stats?.endpoint.stop()
    await peer.stop()
  })
  if (stats !== undefined && statsModule !== undefined) stats.metrics.bind(statsModule.metricSourcesOf(peer))
  log('info', `IPFS Cluster v${VERSION} listening on:\n${peer.host.getMultiaddrs().map(a => `        ${a.toString()}`).join('\n')}\n`)
  const onRequest = (api: string): { onRequest?: (s: { method: string, route: string, status: number, seconds: number }) => void } =>
    stats === undefined ? {} : { onRequest: stats.metrics.httpSink(api) }
  // The REST API, then the Pinning Service API: the same server code, each from its own section.
  const httpApis = [
    { key: 'restapi', label: 'REST API', make: () => new RestApiServer(peer, serverConfigOf('restapi', loaded.config.api.restapi, folder), onRequest('restapi')) },
    { key: 'pinsvcapi', label: 'Pinning Service API', make: () => new PinSvcApiServer(peer, serverConfigOf('pinsvcapi', loaded.config.api.pinsvcapi, folder), onRequest('pinsvcapi')) }
  ] as const
  const apis: Partial<Record<'restapi' | 'pinsvcapi', RestApiServer>> = {}
  for (const api of httpApis) {
    if (!loaded.config.present.has(api.key)) continue
    try {
      const server = api.make()
      running.defer(async () => { await server.stop() })
      apis[api.key] = server
      await server.start()
    } catch (err) {
      return await fail(`error creating ${api.label} component: ${(err as Error).message}`)
    }
  }
  let proxy: ProxyServer | undefined
  if (loaded.config.present.has('ipfsproxy')) {
    try {
      // The loaded section is the proxy's own config (environment applied); paths are under the folder.
      const server = new ProxyServer(peer, { ...loaded.config.api.ipfsproxy, configDir: folder }, {
        repoStats: async opts => await peer.repoStats(opts),
        // Requests by Kubo endpoint (unknown paths as `other`) and status, with --stats.
        ...onRequest('ipfsproxy'),
        // Its only other info line is the start line; the rest are access lines.
        logger: (level, message) => { log(level, message, level === 'info' && !message.startsWith('IPFS Proxy:') ? 'ipfsproxylog' : 'ipfsproxy') }
      })
      running.defer(async () => { await server.stop() })
      proxy = server
      await server.start()
    } catch (err) {
      return await fail(`error creating IPFS Proxy component: ${(err as Error).message}`)
    }
  }
  if (kind === 'raft') {
    await peer.consensus.waitForLeader().catch(() => {
    io.err('WARN no Raft leader yet: waiting for peers\n')
    // A data folder of another cluster (or of a peer removed while it was down) names other
    // members: this peer will never be part of their group. Say so instead of waiting silently.
    const members = peer.peerset()
    if (!members.includes(peer.peerId)) {
      io.err(`WARN this peer (${peer.peerId}) is not among the Raft members stored in ${stateFolder.dir} ` +
        `(${members.join(', ')}): the folder may belong to another cluster, or this peer was removed; \`state cleanup\` starts it afresh\n`)
      }
    })
  }
  io.err('** IPFS Cluster is READY **\n')
  if (env.CLUSTER_MEMORY_REDUCER !== 'false') {
    running.defer(startMemoryReducer({ onReduced: (before, after, ms) => { log('debug', `idle: memory given back, RSS ${before >> 20} → ${after >> 20} MiB in ${Math.round(ms)} ms`, 'service') } }))
  }
  let stopping: Promise<void> | undefined
  return {
    peer,
    ...(apis.restapi === undefined ? {} : { restApi: apis.restapi }),
    ...(apis.pinsvcapi === undefined ? {} : { pinSvcApi: apis.pinsvcapi }),
    ...(proxy === undefined ? {} : { proxy }),
    ...(stats === undefined ? {} : { stats }),
    ...(tracing === undefined ? {} : { tracing }),
    stop: async () => {
      stopping ??= (async () => {
        // leave_on_shutdown / --leave: remove ourselves (best effort; CRDT cannot, as Go), then
        // clean the local consensus state once stopped.
        if (flags.leave === true || loaded.config.cluster.leaveOnShutdown) {
          forget = true
          await peer.consensus.rmPeer(peer.peerId).catch((err: Error) => { log('warn', `leaving: ${err.message}`, 'service') })
        }
        // The peerstore file is rewritten with what we know of the other peers (Go does too).
        const known = await peer.peerAddresses().catch(() => [])
        if (known.length > 0) await writePeerstoreFile(peerstorePath(loaded.config.cluster, folder), known).catch(() => {})
        await running.disposeAsync()
      })()
      await stopping
    }
  }
}

/**
 * Runs the daemon until SIGINT/SIGTERM/SIGHUP (a second signal warns, a third exits 1). The
 * handlers are installed before start-up, so a signal during start-up still shuts down cleanly.
 */
export async function runDaemon (folder: string, flags: DaemonFlags, io: Io): Promise<number> {
  let signals = 0
  let onFirstSignal: () => void = () => {}
  const firstSignal = new Promise<void>(resolve => { onFirstSignal = resolve })
  const onSignal = (): void => {
    signals++
    if (signals === 1) {
      io.err('Received signal, shutting down...\n')
      onFirstSignal()
    } else if (signals === 2) {
      io.err('Shutdown is taking too long! Press Ctrl-c again to manually kill cluster. Note that this may corrupt the local cluster state.\n')
    } else {
      io.err('exiting cluster NOW\n')
      process.exit(1)
    }
  }
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal)
  try {
    let onRemoved: () => void = () => {}
    const removed = new Promise<void>(resolve => { onRemoved = resolve })
    const daemon = await startDaemon(folder, { ...flags, onRemoved }, io)
    await Promise.race([firstSignal, removed])
    if (signals > 0) await daemon.stop()
    return 0
  } finally {
    // Once the daemon is over (or never started) a signal gets its default action again.
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(s, onSignal)
  }
}

function parseBootstrap (value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return []
  return value.split(',').map(s => s.trim()).filter(s => s !== '').map(addr => {
    try {
      return multiaddr(addr).toString()
    } catch (err) {
      throw new CommandError(`error error parsing bootstrap multiaddress (${addr}): ${(err as Error).message}`)
    }
  })
}
