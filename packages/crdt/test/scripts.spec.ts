/**
 * Interaction scripts (testdata/scripts/*.txt), in etcd-io/raft's datadriven style: each command
 * is followed by `----` and the output it must produce, up to a blank line. Run with
 * CRDT_REWRITE=1 to rewrite the expected outputs after a deliberate change.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { CID } from 'multiformats/cid'
import { decodeBlock, MemoryStore, Replica } from '../src/index.ts'
import { BlockNet } from './helpers.ts'

const dir = new URL('../testdata/scripts/', import.meta.url)
const text = new TextDecoder()
const bytes = new TextEncoder()
const short = (c: CID): string => c.toString().slice(-6)

interface Peer { replica: Replica, sent: Uint8Array[], hooks: string[] }

class Harness {
  readonly net = new BlockNet()
  readonly peers = new Map<string, Peer>()

  peer (name: string): Peer {
    const p = this.peers.get(name)
    if (p === undefined) throw new Error(`unknown replica ${name}`)
    return p
  }

  async run (args: string[]): Promise<string[]> {
    const [cmd, name = '', ...rest] = args
    switch (cmd) {
      case 'replicas':
        for (const n of [name, ...rest]) this.add(n)
        return []
      case 'put': return await this.write(name, async (r) => await r.put(rest[0]!, bytes.encode(rest[1]!)))
      case 'delete': return await this.write(name, async (r) => await r.delete(rest[0]!))
      case 'batch': return await this.write(name, async (r) => {
        const b = r.batch()
        for (const op of rest) {
          const [kind, kv] = op.split(':') as [string, string]
          if (kind === 'put') await b.put(kv.slice(0, kv.indexOf('=')), bytes.encode(kv.slice(kv.indexOf('=') + 1)))
          else await b.delete(kv)
        }
        return await b.commit()
      })
      case 'deliver': {
        const from = this.peer(name)
        const to = this.peer(rest[0]!)
        to.hooks = []
        const result = await to.replica.receive(from.sent.at(-1)!)
        return [...(result.failed.length > 0 ? [`failed ${result.failed.map(short).join(' ')}`] : []), ...this.after(rest[0]!)]
      }
      case 'state': {
        const lines = [...this.peer(name).replica.entries()].map(([k, v]) => `${k}=${text.decode(v)} (priority ${this.peer(name).replica.store.getValue(k)!.priority})`)
        return lines.length === 0 ? ['empty'] : lines
      }
      case 'converged': {
        const views = [...this.peers.values()].map((p) => JSON.stringify([[...p.replica.entries()].map(([k, v]) => [k, text.decode(v)]), p.replica.info().heads.map((h) => h.cid.toString())]))
        return [new Set(views).size === 1 ? 'yes' : 'no']
      }
      default: throw new Error(`unknown command ${cmd}`)
    }
  }

  private add (name: string): void {
    const peer: Peer = { sent: [], hooks: [] } as unknown as Peer
    peer.replica = new Replica({
      store: new MemoryStore(),
      blocks: this.net.access(),
      broadcast: (p) => { peer.sent.push(p) },
      onPut: (k, v) => { peer.hooks.push(`put ${k}=${text.decode(v)}`) },
      onDelete: (k) => { peer.hooks.push(`delete ${k}`) }
    })
    this.peers.set(name, peer)
  }

  private async write (name: string, op: (r: Replica) => Promise<CID | undefined>): Promise<string[]> {
    const p = this.peer(name)
    p.hooks = []
    const cid = await op(p.replica)
    if (cid === undefined) return ['nothing published', ...this.after(name)]
    const node = await decodeBlock(cid, this.net.blocks.get(cid.toString())!)
    const links = node.links.length === 0 ? 'no links' : `links ${node.links.map(short).join(' ')}`
    return [`block ${short(cid)} priority ${node.delta.priority}, +${node.delta.elements.length} -${node.delta.tombstones.length}, ${links}`, ...this.after(name)]
  }

  private after (name: string): string[] {
    const p = this.peer(name)
    const heads = p.replica.info().heads.map((h) => `${short(h.cid)}@${h.height}`).join(' ')
    return [...(p.hooks.length > 0 ? [`hooks: ${p.hooks.join(', ')}`] : []), `heads: ${heads}`]
  }
}

/** Runs a script and returns it with every command's output filled in. */
async function runScript (source: string): Promise<string> {
  const harness = new Harness()
  const out: string[] = []
  const lines = source.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    out.push(line)
    if (line.trim() === '' || line.startsWith('#')) continue
    if (lines[i + 1] !== '----') throw new Error(`line ${i + 1}: a command must be followed by ----`)
    out.push('----')
    out.push(...await harness.run(line.trim().split(/\s+/)))
    // Skip the old expected output, up to the blank line that ends it.
    i += 2
    while (i < lines.length && lines[i]!.trim() !== '') i++
    if (i < lines.length) out.push('')
  }
  return out.join('\n')
}

describe('interaction scripts', () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt')).sort()) {
    it(file, async () => {
      const url = new URL(file, dir)
      const source = readFileSync(url, 'utf8')
      const actual = await runScript(source)
      if (process.env.CRDT_REWRITE === '1') writeFileSync(url, actual)
      else expect(actual).toBe(source)
    })
  }
})
