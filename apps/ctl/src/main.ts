/**
 * `main(argv, io)`: the whole ipfs-cluster-ctl run, urfave/cli v1.22 style — global flags
 * before the command, command flags anywhere (reordered), help screens, usage errors, the
 * global setup (secret, encoding, hosts) and the printing of errors with Go's exit codes.
 */
import { Api, ApiCallError } from './api-call.ts'
import { ACTIONS } from './actions.ts'
import { add } from './add.ts'
import { APP, APP_ONLY_FLAGS, COMMANDS, commandList, GLOBAL_FLAGS, VERSION } from './commands.ts'
import { checkHexSecret, connect } from './connection.ts'
import type { Action, Encoding } from './context.ts'
import { CtlError, FlagParseError, LocalCommandError, UnknownCommandError } from './errors.ts'
import { Flags, parseFlags, reorderArgs } from './flags.ts'
import { toJson } from './format-json.ts'
import { formatApiError } from './format-text.ts'
import { appHelp, commandHelp, groupAppHelp, helpCommandHelp, subcommandHelp } from './help.ts'
import type { CommandDef } from './help.ts'
import { processIo } from './io.ts'
import type { CtlIo } from './io.ts'
import { logLine } from './log.ts'

const ALL_ACTIONS: Record<string, Action> = { ...ACTIONS, add }

function find (cmds: readonly CommandDef[], name: string): CommandDef | undefined {
  return cmds.find((c) => c.name === name || (c.aliases ?? []).includes(name))
}

interface Setup {
  api: Api
  enc: Encoding
}

/** Global setup (Go's `Before`): validates options and builds the clients. */
async function setup (global: Flags, io: CtlIo): Promise<Setup> {
  const secret = global.string('secret')
  if (secret !== '') checkHexSecret(secret)
  const enc = global.string('encoding')
  if (enc !== 'text' && enc !== 'json') throw new LocalCommandError('', 'unsupported encoding')
  if (global.bool('debug')) logLine(io, 'DEBUG', 'cluster-ctl', 'ipfs-cluster-ctl/main.go:172', 'debug level enabled')
  const auth = global.string('basic-auth')
  let username: string | undefined
  let password: string | undefined
  if (auth !== '') {
    const colon = auth.indexOf(':')
    username = colon < 0 ? auth : auth.slice(0, colon)
    password = colon < 0 ? '' : auth.slice(colon + 1)
  }
  const https = global.bool('https') || (username !== undefined && username !== '' && !global.bool('force-http'))
  const targets = await connect({
    hosts: global.string('host'),
    https,
    noCheckCertificate: global.bool('no-check-certificate'),
    timeout: global.int('timeout'),
    ...(username !== undefined ? { username, password: password ?? '' } : {})
  })
  return { api: new Api(targets), enc }
}

/** Runs a leaf command: its flags (reordered like urfave), help, then the action. */
async function runLeaf (path: string, cmd: CommandDef, args: string[], global: Flags, io: CtlIo): Promise<number> {
  const helpName = `${APP.name} ${path}`
  const defs = cmd.flags ?? []
  let parsed
  try {
    parsed = parseFlags(defs, reorderArgs(defs, args))
  } catch (err) {
    if (!(err instanceof FlagParseError)) throw err
    io.stdout(`Incorrect Usage: ${err.message}\n\n${commandHelp(helpName, cmd)}`)
    return 1
  }
  if (parsed.values.help) {
    io.stdout(cmd.name === 'help' ? helpCommandHelp() : commandHelp(helpName, cmd))
    return 0
  }
  if (path === 'commands') { io.stdout(commandList()); return 0 }
  if (path === 'help') return showHelpTopic(parsed.args, io)
  const action = ALL_ACTIONS[path]
  if (action === undefined) throw new UnknownCommandError(cmd.name)
  const { api, enc } = await setup(global, io)
  try {
    const progress = io.stderrIsTty === true && !global.bool('no-progress') && io.env.TERM !== 'dumb'
    await action({ io, enc, api, flags: new Flags(defs, parsed.values, io.env), args: parsed.args, progress })
  } catch (err) {
    if (err instanceof ApiCallError) {
      if (err.body.code === 0) {
        logLine(io, 'ERROR', 'apiclient', 'client/lbclient.go:106', `reached maximum number of retries without success, retries: ${err.retries}`)
      }
      io.stdout(enc === 'json' ? toJson.error(err.body) : formatApiError(err.body))
      return err.exitCode
    }
    throw err
  } finally {
    api.close()
  }
  return 0
}

/** `ipfs-cluster-ctl help [command]`. */
function showHelpTopic (args: string[], io: CtlIo): number {
  const name = args[0]
  if (name === undefined) { io.stdout(appHelp(APP)); return 0 }
  const cmd = find(COMMANDS, name)
  if (cmd === undefined) throw new UnknownCommandError(name)
  io.stdout(cmd.name === 'help' ? helpCommandHelp() : commandHelp(`${APP.name} ${cmd.name}`, cmd, cmd.subcommands !== undefined))
  return 0
}

/** A command with subcommands (`pin`, `peers`, `health`, `ipfs`): run as a sub-application. */
async function runGroup (cmd: CommandDef, args: string[], global: Flags, io: CtlIo): Promise<number> {
  const helpName = `${APP.name} ${cmd.name}`
  let parsed
  try {
    parsed = parseFlags([], args)
  } catch (err) {
    if (!(err instanceof FlagParseError)) throw err
    io.stdout(`Incorrect Usage. ${err.message}\n\n${subcommandHelp(helpName, cmd)}`)
    return 1
  }
  const [name, ...rest] = parsed.args
  if (parsed.values.help || name === undefined) { io.stdout(subcommandHelp(helpName, cmd)); return 0 }
  const subs = cmd.subcommands ?? []
  if (name === 'help' || name === 'h') {
    const topic = rest[0]
    if (topic === undefined) { io.stdout(groupAppHelp(helpName, cmd, VERSION)); return 0 }
    const sub = find(subs, topic)
    if (sub === undefined) throw new UnknownCommandError(topic)
    io.stdout(commandHelp(`${helpName} ${sub.name}`, sub))
    return 0
  }
  const sub = find(subs, name)
  if (sub === undefined) throw new UnknownCommandError(name)
  return await runLeaf(`${cmd.name} ${sub.name}`, sub, rest, global, io)
}

async function run (argv: string[], io: CtlIo): Promise<number> {
  const defs = [...GLOBAL_FLAGS, ...APP_ONLY_FLAGS]
  let parsed
  try {
    parsed = parseFlags(defs, argv)
  } catch (err) {
    if (!(err instanceof FlagParseError)) throw err
    io.stdout(`Incorrect Usage. ${err.message}\n\n${appHelp(APP)}`)
    return 1
  }
  if (parsed.values.help) { io.stdout(appHelp(APP)); return 0 }
  if (parsed.values.bools.get('version') === true) { io.stdout(`${APP.name} version ${VERSION}\n`); return 0 }
  const global = new Flags(defs, parsed.values, io.env)
  const [name, ...rest] = parsed.args
  if (name === undefined) {
    (await setup(global, io)).api.close()
    io.stdout(appHelp(APP))
    return 0
  }
  const cmd = find(COMMANDS, name)
  if (cmd === undefined) {
    (await setup(global, io)).api.close()
    throw new UnknownCommandError(name)
  }
  if (cmd.subcommands !== undefined) return await runGroup(cmd, rest, global, io)
  if (cmd.name === 'help' || cmd.name === 'commands') (await setup(global, io)).api.close()
  return await runLeaf(cmd.name, cmd, rest, global, io)
}

/**
 * Runs ipfs-cluster-ctl with `argv` (without the program name) and returns the exit code.
 * Output goes to `io` (default: the process's stdout/stderr).
 */
export async function main (argv: readonly string[], io: CtlIo = processIo()): Promise<number> {
  try {
    return await run([...argv], io)
  } catch (err) {
    if (err instanceof UnknownCommandError) { io.stderr(`${err.message}\n`); return err.exitCode }
    if (err instanceof CtlError) { io.stderr(`${err.message}\n`); return err.exitCode }
    io.stderr(`error : ${(err as Error).message}\n`)
    return 1
  }
}
