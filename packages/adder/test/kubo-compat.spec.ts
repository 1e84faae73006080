/**
 * Kubo compatibility: the same multipart body goes to our adder and to a real Kubo's
 * `/api/v0/add?only-hash=true`; names, CIDs, sizes and order must be identical (the cases of the
 * Go sharness t0031-ctl-add, and more).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KuboDaemon } from '@cluster/test-utils'
import * as dagPb from '@ipld/dag-pb'
import { asKubo, runAdd } from './helpers/add.ts'
import type { MemorySink } from './helpers/add.ts'
import { kuboAdd } from './helpers/kubo.ts'
import { goMultipart, seededBytes } from '@cluster/test-utils'
import type { UploadItem } from '@cluster/test-utils'
import type { CID } from '@cluster/api'
import { supportedHashNames, UnsupportedAddOptionError } from '../src/index.ts'

let kubo: KuboDaemon

beforeAll(async () => {
  kubo = await KuboDaemon.start()
}, 120_000)

afterAll(async () => {
  await kubo?.stop()
})

/** Every block reachable from `root` is in the sink (the DAG is complete). */
function assertComplete (sink: MemorySink, root: CID): void {
  const stack = [root]
  const seen = new Set<string>()
  while (stack.length > 0) {
    const cid = stack.pop()!
    const key = cid.toString()
    if (seen.has(key)) continue
    seen.add(key)
    const block = sink.get(cid)
    expect(block, `block ${key}`).toBeDefined()
    if (cid.code === dagPb.code) stack.push(...dagPb.decode(block!.bytes).Links.map(l => l.Hash))
  }
}

const folder: UploadItem[] = [
  { type: 'dir', path: 'photos' },
  { type: 'file', path: 'photos/cat.jpg', data: seededBytes(48_213, 1) },
  { type: 'file', path: 'photos/dog.jpg', data: seededBytes(300_007, 2) },
  { type: 'dir', path: 'photos/more' },
  { type: 'file', path: 'photos/more/b.txt', data: 'bbb\n' },
  { type: 'file', path: 'photos/more/a.txt', data: 'aaa\n' },
  { type: 'dir', path: 'photos/more/z' },
  { type: 'file', path: 'photos/more/z/deep file.txt', data: 'deep\n' },
  { type: 'dir', path: 'photos/a-empty' }
]

const small: UploadItem[] = [{ type: 'file', path: 'hello.txt', data: 'hello world\n' }]

interface Case {
  name: string
  items: UploadItem[]
  /** Query for our adder (cluster parameter names). */
  ours?: Record<string, string>
  /** Query for Kubo (its parameter names). */
  theirs?: Record<string, string>
  timeout?: number
}

const cases: Case[] = [
  { name: 'a small file', items: small },
  { name: 'a small file, wrapped (-w)', items: small, ours: { 'wrap-with-directory': 'true' }, theirs: { 'wrap-with-directory': 'true' } },
  { name: 'raw leaves', items: [{ type: 'file', path: 'big.bin', data: seededBytes(600_000, 3) }], ours: { 'raw-leaves': 'true' }, theirs: { 'raw-leaves': 'true' } },
  { name: 'raw leaves, wrapped', items: small, ours: { 'raw-leaves': 'true', 'wrap-with-directory': 'true' }, theirs: { 'raw-leaves': 'true', 'wrap-with-directory': 'true' } },
  { name: 'a 20 MiB file', items: [{ type: 'file', path: 'random.bin', data: seededBytes(20 * 1024 * 1024, 4) }], timeout: 120_000 },
  { name: 'trickle layout', items: [{ type: 'file', path: 'trickle.bin', data: seededBytes(3_000_000, 5) }], ours: { layout: 'trickle' }, theirs: { trickle: 'true' } },
  { name: 'trickle layout, one chunk', items: small, ours: { layout: 'trickle' }, theirs: { trickle: 'true' } },
  { name: 'trickle layout, raw leaves', items: [{ type: 'file', path: 't.bin', data: seededBytes(1_000_000, 6) }], ours: { layout: 'trickle', 'raw-leaves': 'true' }, theirs: { trickle: 'true', 'raw-leaves': 'true' } },
  { name: 'a folder with a sub-folder (-r)', items: folder, ours: { recursive: 'true' } },
  { name: 'a folder, wrapped', items: folder, ours: { 'wrap-with-directory': 'true' }, theirs: { 'wrap-with-directory': 'true' } },
  { name: 'a folder, CIDv1', items: folder, ours: { 'cid-version': '1' }, theirs: { 'cid-version': '1' } },
  { name: 'a folder, sha3-512 (CIDv1)', items: folder, ours: { 'cid-version': '1', hash: 'sha3-512' }, theirs: { 'cid-version': '1', hash: 'sha3-512' } },
  { name: 'a folder, blake2b-256, wrapped', items: folder, ours: { 'cid-version': '1', hash: 'blake2b-256', 'wrap-with-directory': 'true' }, theirs: { 'cid-version': '1', hash: 'blake2b-256', 'wrap-with-directory': 'true' } },
  { name: 'a file, keccak-256, raw leaves', items: [{ type: 'file', path: 'k.bin', data: seededBytes(400_000, 12) }], ours: { 'cid-version': '1', hash: 'keccak-256' }, theirs: { 'cid-version': '1', hash: 'keccak-256' } },
  { name: 'an empty file', items: [{ type: 'file', path: 'empty', data: '' }] },
  { name: 'an empty file, raw leaves', items: [{ type: 'file', path: 'empty', data: '' }], ours: { 'raw-leaves': 'true' }, theirs: { 'raw-leaves': 'true' } },
  { name: 'an empty file, trickle', items: [{ type: 'file', path: 'empty', data: '' }], ours: { layout: 'trickle' }, theirs: { trickle: 'true' } },
  { name: 'an empty directory', items: [{ type: 'dir', path: 'nothing' }] },
  { name: 'an empty directory, wrapped', items: [{ type: 'dir', path: 'nothing' }], ours: { 'wrap-with-directory': 'true' }, theirs: { 'wrap-with-directory': 'true' } },
  { name: 'chunker size-1000', items: [{ type: 'file', path: 'c.bin', data: seededBytes(250_000, 7) }], ours: { chunker: 'size-1000' }, theirs: { chunker: 'size-1000' } },
  { name: 'rabin chunker', items: [{ type: 'file', path: 'r.bin', data: seededBytes(2_000_000, 8) }], ours: { chunker: 'rabin' }, theirs: { chunker: 'rabin' } },
  { name: 'rabin-min-avg-max chunker', items: [{ type: 'file', path: 'r.bin', data: seededBytes(500_000, 9) }], ours: { chunker: 'rabin-2048-8192-32768' }, theirs: { chunker: 'rabin-2048-8192-32768' } },
  { name: 'rabin-<avg> chunker, raw leaves', items: [{ type: 'file', path: 'r.bin', data: seededBytes(700_000, 10) }], ours: { chunker: 'rabin-65536', 'raw-leaves': 'true' }, theirs: { chunker: 'rabin-65536', 'raw-leaves': 'true' } },
  { name: 'rabin chunker, zeros (max-size cuts)', items: [{ type: 'file', path: 'z.bin', data: new Uint8Array(200_000) }], ours: { chunker: 'rabin-16-32-64' }, theirs: { chunker: 'rabin-16-32-64' } },
  { name: 'rabin chunker, file smaller than min', items: [{ type: 'file', path: 's.txt', data: 'tiny' }, { type: 'file', path: 'e', data: '' }], ours: { chunker: 'rabin', 'wrap-with-directory': 'true' }, theirs: { chunker: 'rabin', 'wrap-with-directory': 'true' } },
  {
    name: 'several top-level entries, wrapped (ctl with several paths)',
    items: [...small, ...folder, { type: 'file', path: 'zzz.txt', data: 'z' }],
    ours: { 'wrap-with-directory': 'true' },
    theirs: { 'wrap-with-directory': 'true' }
  },
  { name: 'several top-level entries, not wrapped', items: [...folder, ...small, { type: 'dir', path: 'e' }] },
  {
    name: 'implicit directories, symlink and escaped names',
    items: [
      { type: 'file', path: 'top/sub dir/ü+%.txt', data: 'x' },
      { type: 'symlink', path: 'top/link', target: 'sub dir/ü+%.txt' },
      { type: 'file', path: 'top/a/b/c.txt', data: 'c' }
    ],
    ours: { 'wrap-with-directory': 'true' },
    theirs: { 'wrap-with-directory': 'true' }
  }
]

describe('same outputs as Kubo', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const body = goMultipart(c.items, { withMeta: true })
      const [ours, theirs] = await Promise.all([runAdd(body, c.ours), kuboAdd(kubo, body, c.theirs)])
      expect(asKubo(ours.outputs)).toEqual(theirs)
      const root = ours.outputs.at(-1)!.cid!
      assertComplete(ours.sink, root)
      expect(ours.sink.puts).toBe(ours.sink.blocks.size)
    }, c.timeout ?? 30_000)
  }
})

describe('hash functions', () => {
  it('every --hash we accept gives Kubo\'s CIDs; what we refuse Kubo refuses too', async () => {
    const body = goMultipart([{ type: 'file', path: 'd/a', data: seededBytes(300_000, 13) }, { type: 'file', path: 'd/b', data: 'b' }])
    const accepted = supportedHashNames()
    expect(accepted).toEqual(expect.arrayContaining(['sha2-256', 'sha2-512', 'sha3-224', 'sha3-256', 'sha3-384', 'sha3-512', 'keccak-256', 'keccak-512', 'blake2b-256', 'blake2b-512', 'blake3']))
    for (const hash of accepted) {
      const query = { 'cid-version': '1', hash }
      const [ours, theirs] = await Promise.all([runAdd(body, query), kuboAdd(kubo, body, query)])
      expect(asKubo(ours.outputs), hash).toEqual(theirs)
    }
    for (const hash of ['keccak-224', 'blake2s-160', 'sha2-384', 'blake2b-128', 'md5', 'identity']) {
      const query = { 'cid-version': '1', hash }
      await expect(runAdd(body, query), hash).rejects.toThrow(UnsupportedAddOptionError)
      await expect(kuboAdd(kubo, body, query), hash).rejects.toThrow(/kubo add: 500/)
    }
  }, 120_000)
})

describe('HAMT sharded directories', () => {
  function bigDirectory (files: number, options: { subdirs?: number, extra?: string } = {}): UploadItem[] {
    const items: UploadItem[] = [{ type: 'dir', path: 'big' }]
    for (let i = 0; i < (options.subdirs ?? 0); i++) {
      const sub = `big/sub-${String(i).padStart(2, '0')}`
      items.push({ type: 'dir', path: sub }, { type: 'file', path: `${sub}/f`, data: `${i}` })
    }
    for (let i = 0; i < files; i++) items.push({ type: 'file', path: `big/file-${String(i).padStart(5, '0')}`, data: `${i}` })
    if (options.extra !== undefined) items.push({ type: 'file', path: `big/${options.extra}`, data: 'q' })
    return items
  }

  // CIDv0 links count 34 bytes + the name (10 bytes for file-NNNNN): 5957 files + "zz" = 262144 exactly.
  it.each([
    ['CIDv0, over the 256 KiB threshold', bigDirectory(6000, { subdirs: 1 }), {}, {}],
    ['CIDv0, estimate exactly 256 KiB: not sharded', bigDirectory(5957, { extra: 'zz' }), {}, {}],
    ['CIDv0, estimate 256 KiB + 1: sharded', bigDirectory(5957, { extra: 'zzz' }), {}, {}],
    ['subdirectories count in the estimate; outputs in HAMT order', bigDirectory(5950, { subdirs: 20 }), {}, {}],
    ['CIDv1, just under the threshold', bigDirectory(5800, { subdirs: 1 }), { 'cid-version': '1' }, { 'cid-version': '1' }],
    ['sha3-512 (longer CIDs shard sooner), wrapped', bigDirectory(4000, { subdirs: 3 }), { 'cid-version': '1', hash: 'sha3-512', 'wrap-with-directory': 'true' }, { 'cid-version': '1', hash: 'sha3-512', 'wrap-with-directory': 'true' }]
  ])('%s', async (_name, items, ours, theirs) => {
    const body = goMultipart(items)
    const [mine, kubos] = await Promise.all([runAdd(body, ours), kuboAdd(kubo, body, theirs)])
    expect(asKubo(mine.outputs)).toEqual(kubos)
    assertComplete(mine.sink, mine.outputs.at(-1)!.cid!)
  }, 120_000)
})
