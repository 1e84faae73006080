/** `promtool check metrics` (Debian's prometheus package, installed by scripts/setup.sh). */
import { spawn } from 'node:child_process'

/** Runs `promtool check metrics` on an exposition; resolves with its exit code and output. */
export async function promtoolCheck (text: string): Promise<{ code: number, output: string }> {
  const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (d: Buffer) => { output += d.toString() })
  child.stderr.on('data', (d: Buffer) => { output += d.toString() })
  child.stdin.end(text)
  const code = await new Promise<number>(resolve => child.once('exit', c => { resolve(c ?? -1) }))
  return { code, output }
}
