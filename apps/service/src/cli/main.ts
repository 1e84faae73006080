import { existsSync } from 'node:fs'
import yargs from 'yargs'
import { VERSION } from '../cluster/version.ts'
import { configPaths, initConfigFolder, resolveConfigFolder } from '../config/index.ts'
import { parseLogLevels } from './log-levels.ts'
import { CommandError, isRecordIo, processIo, type Io } from './io.ts'
import { LOG_FORMAT_ENV, jsonIo, resolveLogFormat, warningsAsRecords } from './log-format.ts'
import { acquireLock } from './lock.ts'
import { confirm } from './prompt.ts'
// The daemon (libp2p, consensus, APIs) and the state commands are loaded by the commands that
// run them: `--version`, `init` and the rest start without them.
const daemonModule = async (): Promise<typeof import('./daemon.ts')> => await import('./daemon.ts')
const stateModule = async (): Promise<typeof import('./state.ts')> => await import('./state.ts')

const DESCRIPTION = `Description:
  ipfs-cluster-service runs an IPFS Cluster peer (CRDT or Raft consensus). A peer runs beside
  an IPFS daemon (Kubo) and shares one pinset with the other peers of its cluster.

  Before running the daemon, create a configuration with "ipfs-cluster-service init".
  The configuration folder is ~/.ipfs-cluster, or $IPFS_CLUSTER_PATH, or --config.`

/**
 * Go's `state export -f <file>` and `state crdt dot -f <file>`: there `-f` is the command's
 * `--file`, while the global `-f` (--force) goes before the command. One alias cannot name two
 * options in yargs, so a `-f` after those commands is passed on as `--file`.
 */
function fileFlagsOfStateCommands (argv: string[]): string[] {
  // The last token of `state export` or `state crdt dot` (a `-c state` before it is a folder).
  const sub = argv.findIndex((a, i) => argv[i - 1] === 'state' ? a === 'export' : a === 'dot' && argv[i - 1] === 'crdt' && argv[i - 2] === 'state')
  if (sub === -1) return argv
  return argv.map((a, i) => i <= sub ? a : a === '-f' ? '--file' : a.startsWith('-f=') ? `--file=${a.slice(3)}` : a)
}

/**
 * `ipfs-cluster-service` (config.md §7). Returns the exit code: 0 success (a declined prompt too),
 * 1 for `error <doing>: <reason>` failures and for no/unknown command, 2 for usage errors (Go exits
 * 0 on those; see the README).
 */
export async function main (argv: string[], io: Io = processIo): Promise<number> {
  let exitCode = 0
  /** Where a failure is printed: the daemon's log output once it chose JSON. */
  let errorIo: Io = io
  const folderOf = (args: { config?: string }): string => resolveConfigFolder({ flag: args.config, env: process.env })
  /** Set by a usage error: yargs still calls the command's handler after its `fail`. */
  let usageError = false
  const run = (fn: (args: Record<string, unknown>) => Promise<number | undefined | void>) => async (args: Record<string, unknown>) => {
    // An unknown flag or argument: the command does not run (a mistyped `daemon` flag must not start a peer).
    if (usageError) return
    try {
      exitCode = (await fn(args)) ?? 0
    } catch (err) {
      if (isRecordIo(errorIo)) errorIo.record('error', 'service', (err as Error).message)
      else errorIo.err(`${(err as Error).message}\n`)
      exitCode = err instanceof CommandError ? err.exitCode : 1
    }
  }
  // `--version` before any command prints and exits, whatever follows (yargs would use console.log).
  const firstCommand = argv.findIndex(a => !a.startsWith('-'))
  const globalArgs = firstCommand === -1 ? argv : argv.slice(0, firstCommand)
  if (globalArgs.includes('--version') || globalArgs.includes('-v')) {
    io.out(`ipfs-cluster-service version ${VERSION}\n`)
    return 0
  }
  const cli = yargs(fileFlagsOfStateCommands(argv))
    .scriptName('ipfs-cluster-service')
    .usage('Usage:\n  $0 [global options] <command> [command options]\n\n' + DESCRIPTION)
    .option('config', { alias: 'c', type: 'string', describe: 'path to the configuration and data folder', global: true })
    .option('force', { alias: 'f', type: 'boolean', default: false, describe: 'forcefully proceed with some actions, no prompts', global: true })
    .option('debug', { alias: 'd', type: 'boolean', default: false, describe: 'enable full debug logging', global: true })
    .option('loglevel', { alias: 'l', type: 'string', default: process.env.IPFS_CLUSTER_LOG_LEVEL ?? 'info', describe: 'set the loglevel for cluster components: a level for all, and/or facility:level items, comma-separated (e.g. info,cluster:debug)', global: true })
    // Hidden, as Go has no such flag (it reads GOLOG_LOG_FMT): documented in the README.
    .option('log-format', { type: 'string', hidden: true, global: true, describe: `daemon log lines: text (default), json or auto (json when stderr is not a terminal); env ${LOG_FORMAT_ENV}` })
    .group(['config', 'force', 'debug', 'loglevel', 'help', 'version'], 'Global Options:')
    .version(false)
    .option('version', { alias: 'v', type: 'boolean', describe: 'print the version and exit' })
    .help('help').alias('help', 'h')
    .command('init [source]', 'Creates a configuration and generates an identity', y => y
      .positional('source', { type: 'string', describe: 'URL of a remote configuration' })
      .option('consensus', { type: 'string', default: 'crdt', describe: 'consensus component: crdt or raft' })
      .option('datastore', { type: 'string', default: 'pebble', describe: 'accepted for compatibility: CRDT state is kept in SQLite files' })
      .option('custom-secret', { alias: 's', type: 'boolean', default: false, describe: 'prompt for the cluster secret' })
      .option('peers', { type: 'string', describe: 'comma-separated multiaddresses of peers (with /p2p/<id>)' })
      .option('randomports', { type: 'boolean', default: false, describe: 'use random free ports for every listener' }),
    run(async args => {
      const consensus = String(args.consensus)
      if (consensus !== 'raft' && consensus !== 'crdt') throw new CommandError("error choosing consensus: flag value must be set to 'raft' or 'crdt'")
      const folder = folderOf(args)
      const paths = configPaths(folder)
      if (existsSync(paths.service) || existsSync(paths.identity)) {
        const release = await acquireLock(folder).catch((err: Error) => { throw new CommandError(err.message) })
        await release()
      }
      if (existsSync(paths.service) && args.force !== true) {
        if (!await confirm('The configuration file will be overwritten. Continue? [y/n]: ', io.out)) return 0
      }
      let customSecret: string | undefined
      if (args.customSecret === true && args.source === undefined) {
        io.out('Enter cluster secret (32-byte hex string): ')
        customSecret = (await (await stateModule()).readStdin({ out: () => {}, err: io.err })).trim()
      }
      const result = await initConfigFolder({
        folder, env: process.env as Record<string, string>, randomPorts: args.randomports === true, consensus,
        ...(typeof args.peers === 'string' ? { peers: args.peers } : {}),
        ...(customSecret === undefined ? {} : { customSecret }),
        ...(typeof args.source === 'string' ? { sourceUrl: args.source } : {})
      }).catch((err: Error) => { throw new CommandError(err.message) })
      for (const m of result.messages) io.err(`${m}\n`)
      return 0
    }))
    .command('daemon', 'Runs the IPFS Cluster peer (default)', y => y
      .option('bootstrap', { alias: 'j', type: 'string', describe: 'join a cluster through these comma-separated peer multiaddresses' })
      .option('leave', { alias: 'x', type: 'boolean', default: false, hidden: true })
      .option('stats', { type: 'boolean', default: false, describe: 'enable stats collection (Prometheus /metrics at observations.metrics.prometheus_endpoint)' })
      .option('tracing', { type: 'boolean', default: false, describe: 'enable tracing (OpenTelemetry spans over OTLP/HTTP to observations.tracing.otlp_endpoint)' }),
    run(async args => {
      const format = resolveLogFormat(typeof args.logFormat === 'string' ? args.logFormat : undefined, process.env, process.stderr.isTTY === true)
      const daemonIo = format === 'json' ? jsonIo(io) : io
      if (isRecordIo(daemonIo)) {
        errorIo = daemonIo
        if (io === processIo) warningsAsRecords(daemonIo)
      }
      return await (await daemonModule()).runDaemon(folderOf(args), {
        ...(typeof args.bootstrap === 'string' ? { bootstrap: args.bootstrap } : {}),
        leave: args.leave === true,
        stats: args.stats === true,
        tracing: args.tracing === true,
        logLevels: parseLogLevels(args.debug === true, String(args.loglevel ?? 'info'))
      }, daemonIo)
    }))
    .command('state', 'Manages the peer\'s consensus state (pinset)', y => y
      .command('export', 'Exports the state to stdout or a file (one JSON pin per line)', yy => yy
        .option('file', { type: 'string', describe: 'write to this file (also -f, after the command)' }),
      run(async args => { await (await stateModule()).stateExport(folderOf(args), typeof args.file === 'string' ? args.file : undefined, io) }))
      .command('import [file]', 'Imports a state (JSON pins), replacing the current one', yy => yy
        .positional('file', { type: 'string' })
        .option('replication-min', { alias: 'rmin', type: 'number', describe: 'overwrite each pin\'s replication-min' })
        .option('replication-max', { alias: 'rmax', type: 'number', describe: 'overwrite each pin\'s replication-max' })
        .option('allocations', { alias: 'allocs', type: 'string', describe: 'overwrite each pin\'s allocations (comma-separated peer IDs)' }),
      run(async args => {
        if (args.force !== true && !await confirm('The pinset (state) of this peer will be replaced. Continue? [y/n]: ', io.out)) return 0
        const { inputChunks, stateImport } = await stateModule()
        const file = typeof args.file === 'string' ? args.file : undefined
        await stateImport(folderOf(args), () => inputChunks(file, io), {
          ...(typeof args.replicationMin === 'number' ? { replicationMin: args.replicationMin } : {}),
          ...(typeof args.replicationMax === 'number' ? { replicationMax: args.replicationMax } : {}),
          ...(typeof args.allocations === 'string' ? { allocations: args.allocations } : {})
        }, io)
      }))
      .command('cleanup', 'Removes the peer\'s state (kept as a backup)', yy => yy,
        run(async args => {
          if (args.force !== true && !await confirm('The peer state will be removed.  Existing pins may be lost. Continue? [y/n]: ', io.out)) return 0
          await (await stateModule()).stateCleanup(folderOf(args))
        }))
      .command('crdt', 'CRDT maintenance: info, dot, mark-dirty, mark-clean', yy => yy
        .command('info', 'Prints the heads, the greatest height and the dirty bit', yyy => yyy,
          run(async args => { await (await stateModule()).stateCrdt(folderOf(args), 'info', undefined, io) }))
        .command('dot', 'Writes the DAG in Graphviz DOT (stdout or a file)', yyy => yyy
          .option('file', { type: 'string', describe: 'write to this file (also -f, after the command)' }),
        run(async args => { await (await stateModule()).stateCrdt(folderOf(args), 'dot', typeof args.file === 'string' ? args.file : undefined, io) }))
        .command('mark-dirty', 'Marks the store dirty: it is repaired at the next start', yyy => yyy,
          run(async args => { await (await stateModule()).stateCrdt(folderOf(args), 'mark-dirty', undefined, io) }))
        .command('mark-clean', 'Clears the dirty bit', yyy => yyy,
          run(async args => { await (await stateModule()).stateCrdt(folderOf(args), 'mark-clean', undefined, io) }))
        .demandCommand(1, 'crdt needs a subcommand: info, dot, mark-dirty or mark-clean'))
      .demandCommand(1, 'state needs a subcommand: export, import, cleanup or crdt'))
    .command('version', 'Prints the version', y => y, run(async () => { io.out(`${VERSION}\n`) }))
    .demandCommand(1)
    .strict()
    .fail((msg, err, y) => {
      if (err !== undefined && err !== null) throw err
      // No command: the help, exit 1 (as Go). Unknown flags: exit 2 (Go exits 0; see the README).
      if (msg === null || msg.startsWith('Not enough non-option arguments')) {
        if (exitCode !== 1) y.showHelp(text => { io.err(`${text}\n`) })
        exitCode = 1
        return
      }
      io.err(`Incorrect Usage: ${msg}\n`)
      usageError = true
      exitCode = 2
    })
    .wrap(100)
    .exitProcess(false)
  await cli.parseAsync()
  return exitCode
}
