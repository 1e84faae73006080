// Hosts for the partition scenario: one network namespace per peer, each joined to a bridge in
// the root namespace by a veth pair, on a private /24; the root namespace keeps an address on
// the bridge so the harness reaches every peer even while peers are cut off from each other.
// A partition is a pair of blackhole routes per cut link (both directions), so packets between
// the two sides vanish as on a broken network while the harness still talks to both sides.
import { execFileSync } from 'node:child_process'
import { onCleanup } from '../../bench/lib/processes.ts'

const ip = (...args: string[]): void => { execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] }) }
const quiet = (...args: string[]): void => { try { ip(...args) } catch { /* already gone */ } }

export class Netns {
  /** Namespace names, one per peer. */
  readonly names: string[]
  /** Each peer's address. */
  readonly addresses: string[]
  /** The root namespace's address on the bridge (where the harness's servers listen). */
  readonly hostAddress: string
  private readonly bridge: string
  private readonly cuts: Array<[number, string]> = []
  private readonly unregister: () => void
  private destroyed = false

  /** Creates `n` namespaces; removed by destroy() or, failing that, at process exit. */
  constructor (n: number) {
    // Names carry our pid, so leftovers of a run that was killed can be told apart and removed.
    const tag = `cx${process.pid}`
    const net = `10.77.${process.pid % 250}`
    removeLeftovers()
    this.names = Array.from({ length: n }, (_, i) => `chaos-${process.pid}-${i}`)
    this.addresses = this.names.map((_, i) => `${net}.${i + 1}`)
    this.hostAddress = `${net}.254`
    this.bridge = `${tag}b`
    this.unregister = onCleanup(() => { this.destroy() })
    try {
      ip('link', 'add', 'name', this.bridge, 'type', 'bridge')
      ip('addr', 'add', `${this.hostAddress}/24`, 'dev', this.bridge)
      ip('link', 'set', this.bridge, 'up')
      for (const [i, ns] of this.names.entries()) {
        const outside = `${tag}h${i}`
        const inside = `${tag}n${i}`
        ip('netns', 'add', ns)
        ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', inside)
        ip('link', 'set', inside, 'netns', ns)
        ip('link', 'set', outside, 'master', this.bridge)
        ip('link', 'set', outside, 'up')
        ip('-n', ns, 'addr', 'add', `${this.addresses[i] as string}/24`, 'dev', inside)
        ip('-n', ns, 'link', 'set', inside, 'up')
        ip('-n', ns, 'link', 'set', 'lo', 'up')
      }
    } catch (err) {
      this.destroy()
      throw new Error(`cannot create network namespaces (needs root and iproute2): ${(err as Error).message}`)
    }
  }

  /** Cuts peer `isolated` off from every other peer (not from the harness). */
  partition (isolated: number): void {
    for (const [j, addr] of this.addresses.entries()) {
      if (j === isolated) continue
      this.cut(isolated, addr)
      this.cut(j, this.addresses[isolated] as string)
    }
  }

  heal (): void {
    for (const [i, addr] of this.cuts.splice(0)) quiet('-n', this.names[i] as string, 'route', 'del', 'blackhole', `${addr}/32`)
  }

  destroy (): void {
    if (this.destroyed) return
    this.destroyed = true
    this.unregister()
    // Deleting a namespace deletes the veth end inside it, and with it the pair.
    for (const ns of this.names) quiet('netns', 'del', ns)
    quiet('link', 'del', this.bridge)
  }

  private cut (from: number, addr: string): void {
    ip('-n', this.names[from] as string, 'route', 'add', 'blackhole', `${addr}/32`)
    this.cuts.push([from, addr])
  }
}

/** Namespaces, their processes and bridges of earlier runs whose process is gone (e.g. killed with SIGKILL). */
function removeLeftovers (): void {
  let list = ''
  try { list = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }) } catch { return }
  for (const m of list.matchAll(/^chaos-(\d+)-\d+/gm)) {
    const pid = Number(m[1])
    if (alive(pid)) continue
    // Daemons of that run still live in the namespace (they run in their own process groups).
    let pids = ''
    try { pids = execFileSync('ip', ['netns', 'pids', m[0]], { encoding: 'utf8' }) } catch { /* gone */ }
    for (const p of pids.split('\n').filter(Boolean)) { try { process.kill(Number(p), 'SIGKILL') } catch { /* gone */ } }
    quiet('netns', 'del', m[0])
    quiet('link', 'del', `cx${pid}b`)
  }
  try { list = execFileSync('ip', ['-o', 'link', 'show', 'type', 'bridge'], { encoding: 'utf8' }) } catch { return }
  for (const m of list.matchAll(/^\d+: (cx(\d+)b)[:@]/gm)) {
    if (!alive(Number(m[2]))) quiet('link', 'del', m[1] as string)
  }
}

function alive (pid: number): boolean {
  try { process.kill(pid, 0); return true } catch { return false }
}
