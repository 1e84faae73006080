/** `format=car`: a CAR made from blocks our adder produced is imported back as Go's carAdder does. */
import { describe, expect, it } from 'vitest'
import { CarWriter } from '@ipld/car'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { CarImportError, InvalidUploadError } from '../src/index.ts'
import type { Block } from '../src/index.ts'
import { runAdd } from './helpers/add.ts'
import type { MemorySink } from './helpers/add.ts'
import { goMultipart, seededBytes } from '@cluster/test-utils'
import type { UploadItem } from '@cluster/test-utils'

async function carOf (roots: CID[], blocks: Iterable<Block>): Promise<Uint8Array> {
  const { writer, out } = CarWriter.create(roots)
  const chunks: Uint8Array[] = []
  const collected = (async () => { for await (const chunk of out) chunks.push(chunk) })()
  for (const block of blocks) await writer.put(block)
  await writer.close()
  await collected
  return Buffer.concat(chunks)
}

function totalBytes (sink: MemorySink): number {
  return [...sink.blocks.values()].reduce((n, b) => n + b.bytes.length, 0)
}

const file = seededBytes(1_200_000, 21)

async function sourceDag (items: UploadItem[], query: Record<string, string> = {}): Promise<{ root: CID, sink: MemorySink }> {
  const { outputs, sink } = await runAdd(goMultipart(items), query)
  return { root: outputs.at(-1)!.cid!, sink }
}

describe('CAR import', () => {
  it('imports a single-root CAR of a file: name, root, total bytes, UnixFS size', async () => {
    const { root, sink } = await sourceDag([{ type: 'file', path: 'big.bin', data: file }])
    const car = await carOf([root], sink.blocks.values())
    const imported = await runAdd(goMultipart([{ type: 'file', path: 'dir/my file.car', data: car }]), { format: 'car' })
    expect(imported.outputs).toEqual([{ name: 'dir/my file.car', cid: root, bytes: totalBytes(sink), size: file.length }])
    expect([...imported.sink.blocks.keys()].sort()).toEqual([...sink.blocks.keys()].sort())
  })

  it('a directory root has no size; sha3-512 blocks are verified with their own hash', async () => {
    const { root, sink } = await sourceDag([{ type: 'file', path: 'd/a', data: 'a' }, { type: 'file', path: 'd/b', data: file }], { 'cid-version': '1', hash: 'sha3-512' })
    const car = await carOf([root], sink.blocks.values())
    const { outputs } = await runAdd(goMultipart([{ type: 'file', path: 'd.car', data: car }]), { format: 'car' })
    expect(outputs).toEqual([{ name: 'd.car', cid: root, bytes: totalBytes(sink), size: 0 }])
  })

  it('a raw root has no size; a root missing from the CAR is accepted (as Go)', async () => {
    const bytes = new TextEncoder().encode('raw block')
    const cid = CID.createV1(raw.code, await sha256.digest(bytes))
    const { outputs } = await runAdd(goMultipart([{ type: 'file', path: 'r.car', data: await carOf([cid], [{ cid, bytes }]) }]), { format: 'car' })
    expect(outputs).toEqual([{ name: 'r.car', cid, bytes: bytes.length, size: 0 }])
    const missing = CID.createV1(raw.code, await sha256.digest(new Uint8Array([1])))
    const other = await runAdd(goMultipart([{ type: 'file', path: 'm.car', data: await carOf([missing], [{ cid, bytes }]) }]), { format: 'car' })
    expect(other.outputs[0]!.cid!.equals(missing)).toBe(true)
  })

  it('refuses wrapping, several roots and no root with Go\'s texts', async () => {
    const { root, sink } = await sourceDag([{ type: 'file', path: 'f', data: 'x' }])
    const car = await carOf([root], sink.blocks.values())
    await expect(runAdd(goMultipart([{ type: 'file', path: 'f.car', data: car }]), { format: 'car', 'wrap-with-directory': 'true' }))
      .rejects.toThrow(new CarImportError('cannot wrap a CAR file upload'))
    const two = await carOf([root, root], sink.blocks.values())
    await expect(runAdd(goMultipart([{ type: 'file', path: 'f.car', data: two }]), { format: 'car' }))
      .rejects.toThrow(new CarImportError('only CAR files with a single root are supported'))
    const none = await carOf([], sink.blocks.values())
    await expect(runAdd(goMultipart([{ type: 'file', path: 'f.car', data: none }]), { format: 'car' }))
      .rejects.toThrow('only CAR files with a single root are supported')
  })

  it('refuses a block whose bytes do not hash to its CID', async () => {
    const bytes = new TextEncoder().encode('honest')
    const cid = CID.createV1(raw.code, await sha256.digest(bytes))
    const car = await carOf([cid], [{ cid, bytes: new TextEncoder().encode('forged') }])
    const err = await runAdd(goMultipart([{ type: 'file', path: 'f.car', data: car }]), { format: 'car' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CarImportError)
    expect((err as Error).message).toBe(`block ${cid.toString()} does not match its CID`)
  })

  it('refuses garbage, a truncated CAR, a directory part and a second CAR', async () => {
    const { root, sink } = await sourceDag([{ type: 'file', path: 'big.bin', data: file }])
    const car = await carOf([root], sink.blocks.values())
    await expect(runAdd(goMultipart([{ type: 'file', path: 'x.car', data: 'not a car at all' }]), { format: 'car' })).rejects.toThrow(/invalid CAR file/)
    await expect(runAdd(goMultipart([{ type: 'file', path: 'x.car', data: car.subarray(0, car.length - 1000) }]), { format: 'car' })).rejects.toThrow(CarImportError)
    await expect(runAdd(goMultipart([{ type: 'dir', path: 'x' }]), { format: 'car' })).rejects.toThrow('expected CAR file is not of type file')
    await expect(runAdd(goMultipart([{ type: 'file', path: 'a.car', data: car }, { type: 'file', path: 'b.car', data: car }]), { format: 'car' }))
      .rejects.toThrow('only a single CAR file can be added')
    await expect(runAdd(goMultipart([]), { format: 'car' })).rejects.toThrow(InvalidUploadError)
  })
})
