/** Streaming behaviour: outputs while the upload is still arriving, progress entries, backpressure, block order. */
import { describe, expect, it } from 'vitest'
import * as dagPb from '@ipld/dag-pb'
import { addUpload } from '../src/index.ts'
import type { AddedNode, Block } from '../src/index.ts'
import { MemorySink, params, runAdd } from './helpers/add.ts'
import { goMultipart, seededBytes } from '@cluster/test-utils'

/** A body in 8 KiB pieces that stops at `cut` until released; `sent()` tells how far it was read. */
function gatedBody (bytes: Uint8Array, cut: number): { body: AsyncIterable<Uint8Array>, release: () => void, sent: () => number } {
  let sent = 0
  let release = (): void => {}
  const gate = new Promise<void>(resolve => { release = resolve })
  async function * body (): AsyncGenerator<Uint8Array> {
    for (let offset = 0; offset < bytes.length; offset += 8192) {
      if (offset >= cut) await gate
      const piece = bytes.slice(offset, offset + 8192)
      sent = offset + piece.length
      yield piece
    }
  }
  return { body: body(), release, sent: () => sent }
}

describe('streaming', () => {
  it('a file is output before the rest of the upload has arrived', async () => {
    const first = seededBytes(700_000, 31)
    const upload = goMultipart([{ type: 'file', path: 'd/first', data: first }, { type: 'file', path: 'd/second', data: seededBytes(700_000, 32) }])
    const cut = upload.bytes.length - 500_000
    const gated = gatedBody(upload.bytes, cut)
    const outputs = addUpload({ contentType: upload.contentType, body: gated.body }, params(), new MemorySink())[Symbol.asyncIterator]()
    const one = await outputs.next()
    expect(one.value?.name).toBe('d/first')
    expect(gated.sent()).toBeLessThanOrEqual(cut)
    gated.release()
    const rest: AddedNode[] = []
    for (let r = await outputs.next(); r.done !== true; r = await outputs.next()) rest.push(r.value)
    expect(rest.map(o => o.name)).toEqual(['d/second', 'd'])
  })

  it('progress entries every 256 KiB and at EOF, before the file, live', async () => {
    const data = seededBytes(1_000_000, 33)
    const upload = goMultipart([{ type: 'file', path: 'p.bin', data }, { type: 'file', path: 'q', data: '' }])
    const cut = 600_000
    const gated = gatedBody(upload.bytes, cut)
    const outputs = addUpload({ contentType: upload.contentType, body: gated.body }, params({ progress: 'true', 'wrap-with-directory': 'true' }), new MemorySink())[Symbol.asyncIterator]()
    const early = await outputs.next()
    expect(early.value).toMatchObject({ name: 'p.bin', cid: undefined, size: 0 })
    expect(early.value!.bytes).toBeGreaterThanOrEqual(262_144)
    gated.release()
    const all: AddedNode[] = [early.value!]
    for (let r = await outputs.next(); r.done !== true; r = await outputs.next()) all.push(r.value)
    const progress = all.filter(o => o.cid === undefined)
    expect(progress.every(p => p.name === 'p.bin' && p.size === 0)).toBe(true)
    expect(progress.at(-1)!.bytes).toBe(data.length)
    for (let i = 1; i < progress.length - 1; i++) expect(progress[i]!.bytes - progress[i - 1]!.bytes).toBeGreaterThanOrEqual(262_144)
    expect(progress.length).toBeGreaterThanOrEqual(4)
    expect(all.filter(o => o.cid !== undefined).map(o => o.name)).toEqual(['p.bin', 'q', ''])
    expect(all.findIndex(o => o.cid !== undefined)).toBe(progress.length)
  })

  it('a slow sink holds the upload back (backpressure)', async () => {
    const upload = goMultipart([{ type: 'file', path: 'big', data: seededBytes(8_000_000, 34) }])
    let sent = 0
    async function * body (): AsyncGenerator<Uint8Array> {
      for (let offset = 0; offset < upload.bytes.length; offset += 65_536) {
        sent = offset
        yield upload.bytes.slice(offset, offset + 65_536)
      }
    }
    let release = (): void => {}
    const stuck = new Promise<void>(resolve => { release = resolve })
    let puts = 0
    const sink = { put: async (_b: Block) => { if (++puts === 2) await stuck } }
    const done = (async () => { for await (const _ of addUpload({ contentType: upload.contentType, body: body() }, params(), sink)) { /* */ } })()
    await new Promise(resolve => setTimeout(resolve, 200))
    // Two 256 KiB blocks plus what the chunker and the importer buffer, far from the 8 MB.
    expect(sent).toBeLessThan(1_000_000)
    release()
    await done
    expect(sent).toBeGreaterThan(7_900_000)
  })

  it('blocks reach the sink children first, and one put at a time', async () => {
    let active = 0
    let overlapped = false
    const seen = new Set<string>()
    const sink = new MemorySink()
    const put = sink.put.bind(sink)
    sink.put = async (block: Block) => {
      if (++active > 1) overlapped = true
      if (block.cid.code === dagPb.code) {
        for (const link of dagPb.decode(block.bytes).Links) expect(seen.has(link.Hash.toString()), `child of ${block.cid.toString()}`).toBe(true)
      }
      seen.add(block.cid.toString())
      await new Promise(resolve => setImmediate(resolve))
      await put(block)
      active--
    }
    const items = [
      { type: 'dir' as const, path: 'top' },
      { type: 'dir' as const, path: 'top/empty' },
      { type: 'file' as const, path: 'top/a', data: seededBytes(900_000, 35) },
      { type: 'file' as const, path: 'top/sub/b', data: 'b' }
    ]
    for (const query of [{}, { 'cid-version': '1', hash: 'blake2b-512' }] as Array<Record<string, string>>) {
      await runAdd(goMultipart(items), { ...query, 'wrap-with-directory': 'true' }, sink)
    }
    expect(overlapped).toBe(false)
  })
})
