/**
 * A small reader of etcd-style data-driven test files (cockroachdb/datadriven, as etcd-io/raft
 * uses it). A file is a list of blocks:
 *
 *     # comments and blank lines, kept as they are
 *     command arg key=value
 *     ----
 *     expected output (no blank line inside)
 *
 * {@link runScript} runs every command through an {@link InteractionEnv} and returns the blocks
 * with the output actually produced, and the file rewritten with that output.
 */
import { InteractionEnv, parseCommand } from './env.ts'

export interface Block {
  /** 1-based line of the command. */
  line: number
  command: string
  expected: string
  actual: string
}

interface ParsedBlock { prefix: string[], line: number, command: string, expected: string[] }

export function parse (text: string): { blocks: ParsedBlock[], trailer: string[] } {
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  const blocks: ParsedBlock[] = []
  let prefix: string[] = []
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as string
    if (l.trim() === '' || l.startsWith('#')) { prefix.push(l); continue }
    if (lines[i + 1] !== '----') throw new Error(`line ${i + 1}: command "${l}" is not followed by ----`)
    const block: ParsedBlock = { prefix, line: i + 1, command: l, expected: [] }
    for (i += 2; i < lines.length && (lines[i] as string).trim() !== ''; i++) block.expected.push(lines[i] as string)
    i-- // the blank line (if any) belongs to the next prefix
    blocks.push(block)
    prefix = []
  }
  return { blocks, trailer: prefix }
}

/** Runs a script in a fresh environment. */
export function runScript (text: string): { blocks: Block[], rewritten: string } {
  const env = new InteractionEnv()
  const { blocks, trailer } = parse(text)
  const out: string[] = []
  const results = blocks.map((b) => {
    const actual = env.handle(parseCommand(b.command))
    out.push(...b.prefix, b.command, '----', actual)
    return { line: b.line, command: b.command, expected: b.expected.join('\n'), actual }
  })
  out.push(...trailer)
  return { blocks: results, rewritten: out.join('\n') + '\n' }
}
