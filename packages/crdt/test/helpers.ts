/** Shared test helpers: Go's vectors, a block network in memory, a seeded random source. */
import { readFileSync } from 'node:fs'
import { CID } from 'multiformats/cid'
import type { BlockAccess } from '../src/index.ts'

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
export const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'))

function readJson<T> (name: string): T {
  return JSON.parse(readFileSync(new URL(`../testdata/go/${name}`, import.meta.url), 'utf8')) as T
}

export interface GoHead { cid: string, height: number }
export interface GoKv { key: string, valueHex: string }
export interface GoHook { hook: 'put' | 'delete', key: string, valueHex?: string }
export interface GoEvent {
  replica: string
  kind: 'put' | 'delete' | 'batch' | 'deliver'
  ops?: Array<{ op: 'put' | 'delete', key: string, valueHex?: string }>
  payloadHex?: string
  broadcastHex?: string
  blockCid?: string
  heads: GoHead[]
  hooks: GoHook[]
}
export interface GoScenario {
  keys: Record<string, string>
  events: GoEvent[]
  blocks: Array<{ cid: string, bytesHex: string }>
  replicas: Record<string, { dot: string, heads: GoHead[], state: GoKv[], store: GoKv[] }>
  broadcasts: Array<{ heads: string[], hex: string }>
}
export interface GoPinVector { name: string, key: string, pin: unknown, protoHex: string }

export const goScenario = (): GoScenario => readJson('scenario.json')
export const goPins = (): GoPinVector[] => readJson('pins.json')

/** Go's blocks by CID string. */
export function goBlocks (s: GoScenario): Map<string, Uint8Array> {
  return new Map(s.blocks.map((b) => [b.cid, unhex(b.bytesHex)]))
}

/** mulberry32: small, seeded, good enough to shuffle test inputs. */
export function rng (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function shuffle<T> (items: readonly T[], random: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

/**
 * Blocks shared by in-process replicas. Fetches can be held back (to simulate an unreachable
 * block) and, with a random source, resolve after a random number of turns so that parallel
 * fetches complete out of order.
 */
export class BlockNet {
  readonly blocks = new Map<string, Uint8Array>()
  readonly withheld = new Set<string>()
  fetches = 0

  private readonly random: (() => number) | undefined

  constructor (initial?: Map<string, Uint8Array>, random?: () => number) {
    this.random = random
    for (const [k, v] of initial ?? []) this.blocks.set(k, v)
  }

  access (): BlockAccess {
    return {
      getBlock: async (cid: CID, { signal }: { signal: AbortSignal }) => {
        this.fetches++
        const turns = this.random === undefined ? 0 : Math.floor(this.random() * 5)
        for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve))
        const key = cid.toString()
        const bytes = this.blocks.get(key)
        if (bytes === undefined || this.withheld.has(key)) {
          // Wait for the caller to give up, as a network fetch would.
          await new Promise((_resolve, reject) => {
            if (signal.aborted) reject(signal.reason as Error)
            signal.addEventListener('abort', () => { reject(signal.reason as Error) }, { once: true })
          })
        }
        signal.throwIfAborted()
        return bytes!
      },
      putBlock: (cid: CID, bytes: Uint8Array) => { this.blocks.set(cid.toString(), bytes) }
    }
  }
}
