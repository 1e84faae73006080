import { readFile, stat, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CID } from 'multiformats/cid'
import { identity } from 'multiformats/hashes/identity'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BlockstoreClosedError, BlockstoreCorruptError, BlockTooLargeError, SqliteBlockstore } from '../src/index.ts'
import { bytesOf, rawBlock, rawBlocks, tempDir } from './helpers.ts'

let dir: string
let remove: () => Promise<void>
const opened: SqliteBlockstore[] = []

function open (name = 'blocks.db', options = {}): SqliteBlockstore {
  const store = SqliteBlockstore.open(join(dir, name), options)
  opened.push(store)
  return store
}

async function * chunked (bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += size) yield bytes.subarray(i, i + size)
}

/** Opens the store at `path` and reads every block in it. */
async function readEverything (path: string): Promise<number> {
  const store = SqliteBlockstore.open(path)
  try {
    let n = 0
    for await (const pair of store.getAll()) n += bytesOf(pair.bytes as Iterable<Uint8Array>).byteLength
    return n
  } finally {
    store.close()
  }
}

beforeEach(async () => { ({ dir, remove } = await tempDir()) })
afterEach(async () => {
  for (const store of opened.splice(0)) store.close()
  await remove()
})

describe('SqliteBlockstore', () => {
  it('puts, gets, has and deletes blocks; a missing block is NotFoundError', async () => {
    const store = open()
    const [a, b] = await rawBlocks(2, 3000)
    if (a === undefined || b === undefined) throw new Error('fixture')
    expect(await store.put(a.cid, a.bytes)).toBe(a.cid)
    expect(store.has(a.cid)).toBe(true)
    expect(store.has(b.cid)).toBe(false)
    expect(bytesOf(store.get(a.cid))).toEqual(a.bytes)
    expect(() => bytesOf(store.get(b.cid))).toThrow(expect.objectContaining({ name: 'NotFoundError' }))
    await store.put(a.cid, a.bytes) // a second put of the same block is harmless
    expect(store.count()).toBe(1)
    store.delete(a.cid)
    expect(store.has(a.cid)).toBe(false)
    expect(store.count()).toBe(0)
  })

  it('keys blocks by multihash: a CIDv0 finds the block put under a CIDv1 of the same hash', async () => {
    const store = open()
    const block = await rawBlock(100, 7)
    await store.put(block.cid, block.bytes)
    const v0 = CID.createV0(block.cid.multihash as Parameters<typeof CID.createV0>[0])
    expect(store.has(v0)).toBe(true)
    expect(store.getBytes(v0)).toEqual(block.bytes)
  })

  it('answers identity CIDs from the CID itself and never stores them', async () => {
    const store = open()
    const data = new TextEncoder().encode('inline')
    const cid = CID.createV1(0x55, identity.digest(data))
    expect(store.has(cid)).toBe(true)
    await store.put(cid, data)
    expect(store.count()).toBe(0)
    expect(store.getBytes(cid)).toEqual(data)
  })

  it('takes chunked input, and putMany/getMany/getAll/deleteMany over several listing pages', async () => {
    const store = open('blocks.db', { listPageSize: 3 })
    const blocks = await rawBlocks(10, 5000, 3)
    const put: CID[] = []
    for await (const cid of store.putMany(blocks.map(b => ({ cid: b.cid, bytes: chunked(b.bytes, 777) })))) put.push(cid)
    expect(put.map(String)).toEqual(blocks.map(b => b.cid.toString()))

    const got = new Map<string, Uint8Array>()
    for await (const pair of store.getMany(blocks.map(b => b.cid))) got.set(pair.cid.toString(), bytesOf(pair.bytes as Iterable<Uint8Array>))
    for (const b of blocks) expect(got.get(b.cid.toString())).toEqual(b.bytes)

    const listed = new Map<string, Uint8Array>()
    for await (const pair of store.getAll()) listed.set(pair.cid.toString(), bytesOf(pair.bytes as Iterable<Uint8Array>))
    expect([...listed.keys()].sort()).toEqual(blocks.map(b => b.cid.toString()).sort())
    for (const b of blocks) expect(listed.get(b.cid.toString())).toEqual(b.bytes)

    const deleted: string[] = []
    for await (const cid of store.deleteMany(blocks.slice(0, 4).map(b => b.cid))) deleted.push(cid.toString())
    expect(deleted).toHaveLength(4)
    expect(store.count()).toBe(6)
  })

  it('refuses a block over maxBlockSize without storing it, whole or in chunks', async () => {
    const store = open('blocks.db', { maxBlockSize: 1000 })
    const big = await rawBlock(1001, 9)
    await expect(store.put(big.cid, big.bytes)).rejects.toBeInstanceOf(BlockTooLargeError)
    await expect(store.put(big.cid, chunked(big.bytes, 100))).rejects.toBeInstanceOf(BlockTooLargeError)
    expect(store.has(big.cid)).toBe(false)
  })

  it('keeps blocks across close and reopen', async () => {
    const blocks = await rawBlocks(5, 2000, 5)
    const first = SqliteBlockstore.open(join(dir, 'p.db'))
    for (const b of blocks) await first.put(b.cid, b.bytes)
    first.close()
    const second = open('p.db')
    expect(second.count()).toBe(5)
    for (const b of blocks) expect(second.getBytes(b.cid)).toEqual(b.bytes)
  })

  it('a closed store fails with BlockstoreClosedError', async () => {
    const store = open()
    store.close()
    const block = await rawBlock(10, 1)
    expect(() => store.has(block.cid)).toThrow(BlockstoreClosedError)
    await expect(store.put(block.cid, block.bytes)).rejects.toBeInstanceOf(BlockstoreClosedError)
  })
})

describe('SqliteBlockstore on a damaged file', () => {
  it('a file that is not a database fails to open with BlockstoreCorruptError naming the file', async () => {
    const path = join(dir, 'garbage.db')
    await writeFile(path, Buffer.alloc(64 * 1024, 0x5a))
    let caught: unknown
    try { SqliteBlockstore.open(path) } catch (err) { caught = err }
    expect(caught).toBeInstanceOf(BlockstoreCorruptError)
    expect((caught as Error).message).toContain(path)
    expect((caught as BlockstoreCorruptError).sqliteCode).toBe('SQLITE_NOTADB')
  })

  it('a truncated store fails with BlockstoreCorruptError when read, and the process keeps running', async () => {
    const path = join(dir, 'truncated.db')
    const store = SqliteBlockstore.open(path)
    const blocks = await rawBlocks(200, 4096, 11)
    for (const b of blocks) await store.put(b.cid, b.bytes)
    store.close() // checkpoints the WAL into the main file
    const size = (await stat(path)).size
    expect(size).toBeGreaterThan(200 * 4096)
    expect(await readEverything(path)).toBe(200 * 4096)

    await truncate(path, Math.floor(size * 0.4))
    await expect(readEverything(path)).rejects.toBeInstanceOf(BlockstoreCorruptError)
  })

  it('a store whose pages were overwritten fails with BlockstoreCorruptError', async () => {
    const path = join(dir, 'scribbled.db')
    const store = SqliteBlockstore.open(path)
    for (const b of await rawBlocks(50, 4096, 13)) await store.put(b.cid, b.bytes)
    store.close()
    const bytes = await readFile(path)
    // Keep the header page; scribble over every page after it (the table's b-tree pages).
    bytes.fill(0xa5, 4096)
    await writeFile(path, bytes)
    await expect(readEverything(path)).rejects.toBeInstanceOf(BlockstoreCorruptError)
  })
})
