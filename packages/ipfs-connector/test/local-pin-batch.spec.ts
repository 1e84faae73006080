import { describe, expect, it } from 'vitest'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import * as raw from 'multiformats/codecs/raw'
import { LocalPinBatch } from '../src/local-pin-batch.ts'

async function cidOf (text: string): Promise<CID> {
  return CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(text)))
}

const quiet = (): void => {}

describe('LocalPinBatch', () => {
  it('sends the pins of one turn in one call and answers each from the CIDs pinned (by multihash)', async () => {
    const cids = await Promise.all(['a', 'b', 'c'].map(cidOf))
    const calls: string[][] = []
    // Kubo names a pin as it was given; this one answers b as CIDv0-style base32 of another codec, and leaves out c.
    const batch = new LocalPinBatch(async (given) => {
      calls.push(given.map(c => c.toString()))
      return [given[0]?.toString() as string, CID.createV1(0x70, (given[1] as CID).multihash).toString()]
    }, quiet)
    const results = await Promise.all(cids.map(async c => await batch.tryPin(c)))
    expect(calls).toEqual([cids.map(c => c.toString())])
    expect(results).toEqual([true, true, false])
  })

  it('a pin alone makes no call; a failed call sends every pin its own way; an aborted pin is left out', async () => {
    let calls = 0
    const failing = new LocalPinBatch(async () => { calls++; throw new Error('block was not found locally (offline)') }, quiet)
    const [x, y] = await Promise.all(['x', 'y'].map(cidOf)) as [CID, CID]
    expect(await failing.tryPin(x)).toBe(false)
    expect(calls).toBe(0)
    expect(await Promise.all([failing.tryPin(x), failing.tryPin(y)])).toEqual([false, false])
    expect(calls).toBe(1)

    const seen: string[][] = []
    const ok = new LocalPinBatch(async (given) => { seen.push(given.map(String)); return given.map(String) }, quiet)
    const z = await cidOf('z')
    const ac = new AbortController()
    const pending = [ok.tryPin(x), ok.tryPin(y, ac.signal), ok.tryPin(z)]
    ac.abort()
    expect(await Promise.all(pending)).toEqual([true, false, true])
    expect(seen).toEqual([[x.toString(), z.toString()]])
  })
})
