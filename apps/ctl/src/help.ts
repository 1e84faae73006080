/**
 * Help screens in urfave/cli v1.22's layout (its App, Command and Subcommand templates run
 * through Go's tabwriter with padding 2), so `--help` output matches the Go ctl.
 */
import type { FlagDef } from './flags.ts'
import { formatDuration } from '@cluster/api'

export interface CommandDef {
  name: string
  aliases?: readonly string[]
  /** One-line summary. */
  usage: string
  /** Shown after the command path in USAGE (`<CID|Path>`); default `[arguments...]`. */
  argsUsage?: string
  description?: string
  flags?: readonly FlagDef[]
  subcommands?: readonly CommandDef[]
  hidden?: boolean
  /** Not in Go's ctl (left out of the `commands` listing too). */
  extension?: boolean
}

export interface AppDef {
  name: string
  usage: string
  version: string
  description: string
  flags: readonly FlagDef[]
  commands: readonly CommandDef[]
}

/** Go's text/tabwriter (minwidth 0, padding 2, spaces) for text with at most one tab per line. */
export function tabwrite (text: string): string {
  const lines = text.split('\n')
  const out: string[] = []
  let i = 0
  while (i < lines.length) {
    if (!lines[i]!.includes('\t')) { out.push(lines[i]!); i++; continue }
    let j = i
    while (j < lines.length && lines[j]!.includes('\t')) j++
    const block = lines.slice(i, j).map((l) => {
      const t = l.indexOf('\t')
      return [l.slice(0, t), l.slice(t + 1)] as const
    })
    const width = Math.max(...block.map(([c]) => Array.from(c).length)) + 2
    for (const [cell, rest] of block) out.push(cell + ' '.repeat(width - Array.from(cell).length) + rest)
    i = j
  }
  return out.join('\n')
}

function prefixed (name: string, placeholder: string): string {
  return (name.length === 1 ? '-' : '--') + name + (placeholder !== '' ? ' ' + placeholder : '')
}

/** A flag's help line (`--host value, -l value\tAPI endpoint… (default: "…")`). */
export function flagLine (f: FlagDef): string {
  const placeholder = f.kind === 'bool' ? '' : 'value'
  let text = f.names.map((n) => prefixed(n, placeholder)).join(', ') + '\t' + f.usage
  if (f.kind === 'string' && f.defaultText !== undefined && f.defaultText !== '') text += ` (default: "${f.defaultText}")`
  if (f.kind === 'int') text += ` (default: ${f.defaultText ?? '0'})`
  if (f.kind === 'duration') text += ` (default: ${formatDuration(BigInt(f.defaultText ?? '0'))})`
  if (f.envVar !== undefined) text += ` [$${f.envVar}]`
  return text
}

const HELP_FLAG_LINE = '--help, -h\tshow help'

function commandLines (commands: readonly CommandDef[]): string {
  return commands.filter((c) => c.hidden !== true)
    .map((c) => `\n   ${[c.name, ...(c.aliases ?? [])].join(', ')}\t${c.usage}`).join('')
}

/** The application help (`ipfs-cluster-ctl --help`). */
export function appHelp (app: AppDef): string {
  let t = `NAME:\n   ${app.name} - ${app.usage}\n\nUSAGE:\n   ${app.name} [global options] command [command options] [arguments...]`
  t += `\n\nVERSION:\n   ${app.version}`
  if (app.description !== '') t += `\n\nDESCRIPTION:\n   ${app.description}`
  t += '\n\nCOMMANDS:' + commandLines(app.commands)
  t += '\n\nGLOBAL OPTIONS:\n   ' + [...app.flags.map(flagLine), HELP_FLAG_LINE, '--version, -v\tprint the version'].join('\n   ')
  return tabwrite(t + '\n')
}

/** A command without subcommands (`ipfs-cluster-ctl pin add --help`), or `help <group>`. */
export function commandHelp (helpName: string, c: CommandDef, asGroup = false): string {
  const flags = asGroup ? [] : (c.flags ?? []).filter((f) => f.hidden !== true)
  const description = asGroup ? (c.description ?? c.usage) : c.description
  let t = `NAME:\n   ${helpName} - ${c.usage}\n\nUSAGE:\n   ${helpName}`
  if (flags.length > 0) t += ' [command options]'
  t += ' ' + (asGroup ? '[arguments...]' : (c.argsUsage ?? '[arguments...]'))
  if (description !== undefined && description !== '') t += `\n\nDESCRIPTION:\n   ${description}`
  if (flags.length > 0) t += '\n\nOPTIONS:\n   ' + flags.map((f) => flagLine(f) + '\n   ').join('')
  return tabwrite(t + '\n')
}

/** A command with subcommands (`ipfs-cluster-ctl pin --help`). */
export function subcommandHelp (helpName: string, c: CommandDef): string {
  let t = `NAME:\n   ${helpName} - ${c.description ?? c.usage}\n\nUSAGE:\n   ${helpName} command [command options] [arguments...]`
  t += '\n\nCOMMANDS:' + commandLines(c.subcommands ?? [])
  t += '\n\nOPTIONS:\n   ' + HELP_FLAG_LINE + '\n   '
  return tabwrite(t + '\n')
}

/** `ipfs-cluster-ctl pin help`: the group seen as an application. */
export function groupAppHelp (helpName: string, c: CommandDef, version: string): string {
  let t = `NAME:\n   ${helpName} - ${c.usage}\n\nUSAGE:\n   ${helpName} [global options] command [command options] [arguments...]`
  t += `\n\nVERSION:\n   ${version}`
  t += `\n\nDESCRIPTION:\n   ${c.description ?? c.usage}`
  t += '\n\nCOMMANDS:' + commandLines(c.subcommands ?? [])
  t += '\n\nGLOBAL OPTIONS:\n   ' + HELP_FLAG_LINE
  return tabwrite(t + '\n')
}

/** `ipfs-cluster-ctl help --help` (urfave prints its help command with an empty name). */
export function helpCommandHelp (): string {
  return 'NAME:\n    - Shows a list of commands or help for one command\n\nUSAGE:\n    [command]\n'
}
