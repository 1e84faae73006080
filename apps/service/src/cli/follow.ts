/**
 * `ipfs-cluster-follow` (consensus-crdt.md §9): runs follower peers of collaborative CRDT
 * clusters, one folder per cluster under `~/.ipfs-cluster-follow/<clusterName>`, whose
 * configuration is fetched from the URL given to `init` at every start. The messages are Go's.
 */
import { existsSync } from 'node:fs'
import { mkdir, readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import yargs from 'yargs'
import { RestApiResponseError, RestClient } from '@cluster/rest-client'
import { VERSION } from '../cluster/version.ts'
import { ConfigSourceError, configPaths, initConfigFolder, loadConfigFolder, type LoadedConfigFolder } from '../config/index.ts'
import { CommandError, processIo, type Io } from './io.ts'
import { parseLogLevels } from './log-levels.ts'
import {
  DEFAULT_GATEWAY, FOLLOWER_CLOSED_RPC, clientEndpoint, followRoot, followerSettings, ipfsConnectorOf,
  sourceUrlOf, waitForIpfs
} from './follow-peer.ts'

const PROGRAM = 'ipfs-cluster-follow'
/** How long `info` and `list` wait for the peer's API or IPFS before calling it offline. */
const PROBE_TIMEOUT_MS = 5000

const DESCRIPTION = `${PROGRAM} helps running IPFS Cluster follower peers.

Follower peers subscribe to a Cluster controlled by a set of "trusted
peers". They collaborate in pinning items as dictated by the trusted peers and
do not have the power to make Cluster-wide modifications to the pinset.

Follower peers cannot access information nor trigger actions in other peers.

${PROGRAM} can be used to follow different clusters by launching it
with different options. Each Cluster has an identity, a configuration
and a datastore associated to it, which are kept under
"~/.ipfs-cluster-follow/<cluster_name>".

Examples:
  ${PROGRAM}                          list configured follower peers
  ${PROGRAM} <clusterName> info       display information for a follower peer
  ${PROGRAM} <clusterName> init <url> initialize a follower peer
  ${PROGRAM} <clusterName> run        launch a follower peer (stays running)
  ${PROGRAM} <clusterName> list       list items in the pinset for a given cluster`

const SUBCOMMANDS = ['info', 'init', 'run', 'list'] as const
type Subcommand = typeof SUBCOMMANDS[number]

/** What a subcommand gets: the cluster's name and folder, the flags, where to write. */
interface Ctx {
  name: string
  folder: string
  gateway: string
  env: NodeJS.ProcessEnv
  io: Io
}

/** Runs `ipfs-cluster-follow` with these arguments; returns the exit code. */
export async function followMain (argv: string[], io: Io = processIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let exitCode = 0
  let usageError = false
  const firstArg = argv.findIndex(a => !a.startsWith('-'))
  const globalArgs = firstArg === -1 ? argv : argv.slice(0, firstArg)
  if (globalArgs.includes('--version') || globalArgs.includes('-v')) {
    io.out(`${PROGRAM} version ${VERSION}\n`)
    return 0
  }
  const cli = yargs(argv)
    .scriptName(PROGRAM)
    .usage(`Usage:\n  $0 [global options] <clusterName> [subcommand]...\n\n${DESCRIPTION}`)
    .command('$0 [clusterName] [subcommand] [url]', 'IPFS Cluster Follower', y => y
      .positional('clusterName', { type: 'string', describe: 'the followed cluster (its folder\'s name)' })
      .positional('subcommand', { type: 'string', choices: SUBCOMMANDS, describe: 'info (default), init <url>, run or list' })
      .positional('url', { type: 'string', describe: 'init: the configuration\'s URL, or a DNSLink name' }))
    .option('config', { alias: 'c', type: 'string', describe: 'path to the followers configuration and data FOLDER [$IPFS_CLUSTER_PATH]' })
    .option('init', { type: 'string', describe: 'run: initialize the peer with the given URL before running' })
    .option('gateway', { type: 'string', hidden: true, describe: 'gateway resolving a DNSLink name [$IPFS_GATEWAY]' })
    .version(false)
    .option('version', { alias: 'v', type: 'boolean', describe: 'print the version' })
    .help('help').alias('help', 'h')
    .strict()
    .fail((msg, err) => {
      if (err !== undefined && err !== null) throw err
      io.err(`Incorrect Usage: ${msg}\n`)
      usageError = true
      exitCode = 2
    })
    .wrap(100)
    .exitProcess(false)
  const args = await cli.parseAsync()
  if (usageError || args.help === true) return exitCode
  const root = followRoot(typeof args.config === 'string' ? args.config : undefined, env)
  const name = typeof args.clusterName === 'string' ? args.clusterName : undefined
  if (name !== undefined && (name === '' || name === '.' || name === '..' || name.includes('/'))) {
    io.err(`Incorrect Usage: "${name}" is not a cluster name\n`)
    return 2
  }
  const ctx: Ctx = {
    name: name ?? '',
    folder: join(root, name ?? ''),
    gateway: typeof args.gateway === 'string' ? args.gateway : env.IPFS_GATEWAY ?? DEFAULT_GATEWAY,
    env,
    io
  }
  const sub = (args.subcommand ?? 'info') as Subcommand
  try {
    if (name === undefined) return await listClusters(root, io)
    switch (sub) {
      case 'info': return await info(ctx, args.subcommand === undefined ? () => { cli.showHelp(text => { io.out(`${text}\n`) }) } : undefined)
      case 'init':
        if (typeof args.url !== 'string' || args.url === '') throw new CommandError('configuration URL not provided')
        return await init(ctx, args.url, false)
      case 'run': return await run(ctx, typeof args.init === 'string' && args.init !== '' ? args.init : undefined)
      case 'list': return await list(ctx)
    }
  } catch (err) {
    if (err instanceof CommandError) {
      if (err.message !== '') io.err(`${err.message}\n`)
      return err.exitCode
    }
    io.err(`${(err as Error).message}\n`)
    return 1
  }
}

async function listClusters (root: string, io: Io): Promise<number> {
  let names: string[] = []
  try {
    const entries = await readdir(root, { withFileTypes: true })
    names = entries.filter(e => e.isDirectory() && existsSync(configPaths(join(root, e.name)).service)).map(e => e.name).sort()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new CommandError((err as Error).message)
  }
  if (names.length === 0) {
    io.out(`
No clusters configured yet!

If this is the first time you are running ${PROGRAM},
be sure to check out the usage documentation. Here are some
examples to get you going:

$ ${PROGRAM} --help                     - general description and usage help
$ ${PROGRAM} <clusterName> --help       - Help and subcommands for the <clusterName>'s follower peer
$ ${PROGRAM} <clusterName> info --help  - Help for the "info" subcommand (same for others).
`)
    return 0
  }
  io.out(`Configurations found for ${names.length} follower peers. For info and help, try running:\n\n`)
  for (const n of names) io.out(`${PROGRAM} "${n}"\n`)
  io.out(`\nTip: "${PROGRAM} --help" for help and examples.\n`)
  return 0
}

function notInitialized (ctx: Ctx): CommandError {
  ctx.io.out(`\nThis cluster peer has not been initialized.\n\nTry running "${PROGRAM} ${ctx.name} init <config-url>" first.\n`)
  return new CommandError('', 1)
}

async function isInitialized (folder: string): Promise<boolean> {
  return await stat(folder).then(() => true, () => false)
}

/** `<clusterName> info`: the folder, whether its source answers, whether the peer and IPFS do. */
async function info (ctx: Ctx, moreHelp?: () => void): Promise<number> {
  const { io } = ctx
  if (!await isInitialized(ctx.folder)) throw notInitialized(ctx)
  let loaded: LoadedConfigFolder | undefined
  let sourceLine: string
  try {
    loaded = await loadConfigFolder(ctx.folder, { env: ctx.env as Record<string, string> })
    // The last fetched copy serves `run`, but the source itself did not answer.
    sourceLine = loaded.sourceFallback === undefined ? `Available (${loaded.source ?? ''})` : `failed retrieving configuration source (${loaded.source ?? ''})`
  } catch (err) {
    if (!(err instanceof ConfigSourceError)) throw new CommandError(`reading the configurations in ${ctx.folder}: ${(err as Error).message}`)
    sourceLine = `failed retrieving configuration source (${err.url})`
  }
  io.out(`Information about follower peer for Cluster "${ctx.name}":\n\n`)
  io.out(`Config folder: ${ctx.folder}\n`)
  io.out(`Config source URL: ${sourceLine}\n`)
  const client = new RestClient({ host: clientEndpoint(ctx.folder, ctx.env), timeoutMs: PROBE_TIMEOUT_MS })
  const peerOnline = await client.version().then(() => true, () => false)
  client.close()
  io.out(`Cluster Peer online: ${String(peerOnline)}\n`)
  // The fetched configuration's IPFS address, or the default one with the environment applied.
  const connector = ipfsConnectorOf(ctx.env, loaded)
  const ipfsOnline = await connector.ipfsId({ signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) }).then(() => true, () => false)
  connector.shutdown()
  io.out(`IPFS peer online: ${String(ipfsOnline)}\n`)
  if (moreHelp !== undefined) {
    io.out('Additional help:\n\n-------------------------------------------------\n\n')
    moreHelp()
  }
  return 0
}

/** `<clusterName> init <url>`: `service.json` pointing at the URL, and a new identity. */
async function init (ctx: Ctx, given: string, ignoreReinit: boolean): Promise<number> {
  const { io } = ctx
  if (await isInitialized(ctx.folder)) {
    if (ignoreReinit) {
      io.out('Configuration for this cluster already exists. Skipping initialization.\n')
      io.out(`If you wish to re-initialize, simply delete ${ctx.folder}\n\n`)
      return 0
    }
    io.err('Configuration for this cluster already exists.\n')
    throw new CommandError(`Please delete ${ctx.folder} if you wish to re-initialize.`)
  }
  const { url, dnslink } = sourceUrlOf(given, ctx.gateway)
  if (dnslink) {
    io.out(`${given} will be assumed to be an DNSLink-powered address: /ipns/${given}.\n`)
    io.out(`It will be resolved using the local IPFS daemon's gateway (${ctx.gateway}).\n`)
    io.out('If this is not the case, specify the full url starting with http:// or https://.\n')
    io.out('(You can override the gateway URL by setting IPFS_GATEWAY)\n\n')
  }
  await mkdir(ctx.folder, { recursive: true, mode: 0o700 })
  try {
    const result = await initConfigFolder({ folder: ctx.folder, env: ctx.env as Record<string, string>, sourceUrl: url })
    io.out(`Identity written to ${result.identityPath}.\n`)
    io.out(`Configuration written to ${result.servicePath}.\n`)
  } catch (err) {
    // A half-made folder would count as initialized: take it away.
    await rm(ctx.folder, { recursive: true, force: true }).catch(() => {})
    throw new CommandError(`error initializing ${ctx.folder}: ${(err as Error).message}`)
  }
  io.out(`Cluster "${ctx.name}" follower peer initialized.\n\n`)
  io.out(`You can now use "${PROGRAM} ${ctx.name} run" to start a follower peer for this cluster.\n`)
  io.out('(Remember to start your IPFS daemon before)\n')
  return 0
}

/** `<clusterName> run [--init url]`: waits for IPFS, then runs the follower until a signal. */
async function run (ctx: Ctx, initUrl: string | undefined): Promise<number> {
  const { io } = ctx
  if (initUrl !== undefined) await init(ctx, initUrl, true)
  if (!await isInitialized(ctx.folder)) throw notInitialized(ctx)
  io.out(`Starting the IPFS Cluster follower peer for "${ctx.name}".\nCTRL-C to stop it.\n`)
  io.out('Checking if IPFS is online (will wait for 2 minutes)...\n')
  if (!await waitForIpfs(ctx.env, io.out)) throw new CommandError('timed out waiting for IPFS to be available')
  const { runDaemon } = await import('./daemon.ts')
  return await runDaemon(ctx.folder, {
    // Go's follower logs at info, its REST API's access lines only at error (`list` polls it).
    logLevels: parseLogLevels(false, 'info,restapilog:error'),
    adjust: followerSettings(ctx.folder, ctx.env),
    closedRpcMethods: FOLLOWER_CLOSED_RPC
  }, io)
}

/** `<clusterName> list`: the peer's status of each pin over its API, or the stored pinset when it is not running. */
async function list (ctx: Ctx): Promise<number> {
  if (!await isInitialized(ctx.folder)) throw notInitialized(ctx)
  const out = new PinLines(ctx.io)
  const client = new RestClient({ host: clientEndpoint(ctx.folder, ctx.env) })
  let peer: string | undefined
  try {
    for await (const gpi of client.statusAll(0, { local: true })) {
      peer ??= Object.keys(gpi.peerMap ?? {})[0]
      const pinInfo = peer === undefined ? undefined : gpi.peerMap?.[peer]
      await out.pin(gpi.cid.toString(), pinInfo?.status ?? '', gpi.name, pinInfo?.error ?? '')
    }
    out.end()
    return 0
  } catch (err) {
    out.end()
    if (err instanceof RestApiResponseError) {
      throw new CommandError(`The Peer API seems to be running but returned with code ${err.body.code}: ${err.message}`)
    }
    // Cut off part-way: the peer is running, its stored pinset cannot be read instead.
    if (out.count > 0) throw new CommandError(`error listing the pinset: ${(err as Error).message}`)
  } finally {
    client.close()
  }
  const { listOffline } = await import('./follow-offline.ts')
  await listOffline(ctx.folder, async (cid, name) => { await out.pin(cid, 'offline', name, '') })
  out.end()
  return 0
}

/** Bytes of lines handed to stdout at once (a write per line is most of a long listing's time). */
const OUT_CHUNK = 64 * 1024

/** `list`'s lines, in Go's format, written in chunks as stdout takes them (flat memory at any size). */
class PinLines {
  count = 0
  private chunk = ''
  private readonly io: Io

  constructor (io: Io) {
    this.io = io
  }

  async pin (cid: string, status: string, name: string, error: string): Promise<void> {
    this.chunk += `${status.padEnd(20)} ${cid} ${error === '' ? name : `${name} (${error})`}\n`
    this.count++
    if (this.chunk.length < OUT_CHUNK) return
    this.end()
    await this.io.drained?.()
  }

  end (): void {
    if (this.chunk !== '') this.io.out(this.chunk)
    this.chunk = ''
  }
}
