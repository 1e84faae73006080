/** Refusals before any work, and failures in the middle of an add: named errors, nothing left hanging. */
import { describe, expect, it } from 'vitest'
import {
  AddAbortedError, addUpload, checkAddParams, checkUploadContentType, InvalidUploadError, UnsupportedAddOptionError
} from '../src/index.ts'
import type { Block } from '../src/index.ts'
import { MemorySink, params, runAdd } from './helpers/add.ts'
import { goMultipart, seededBytes } from '@cluster/test-utils'
import type { Body } from '@cluster/test-utils'

const bigFolder = goMultipart([
  { type: 'file', path: 'd/one.bin', data: seededBytes(1_500_000, 11) },
  { type: 'file', path: 'd/two.bin', data: seededBytes(1_500_000, 12) }
])

/** A body that records how it was consumed. */
function trackedBody (body: Body, pieceSize = 16_384): { iterable: AsyncIterable<Uint8Array>, state: { sent: number, returned: boolean } } {
  const state = { sent: 0, returned: false }
  const iterable = {
    [Symbol.asyncIterator] (): AsyncIterator<Uint8Array> {
      return {
        next: async () => {
          await new Promise(resolve => setImmediate(resolve))
          if (state.sent >= body.bytes.length) return { done: true, value: undefined }
          const value = body.bytes.slice(state.sent, state.sent + pieceSize)
          state.sent += value.length
          return { done: false, value }
        },
        return: async () => {
          state.returned = true
          return { done: true, value: undefined }
        }
      }
    }
  }
  return { iterable, state }
}

describe('checkUploadContentType', () => {
  it('accepts multipart/form-data and multipart/mixed with a boundary', () => {
    expect(() => { checkUploadContentType('multipart/form-data; boundary=abc') }).not.toThrow()
    expect(() => { checkUploadContentType('Multipart/Mixed; charset=utf-8; boundary="a b"') }).not.toThrow()
  })

  it.each(['', 'application/json', 'text/plain; boundary=abc', 'multipart/form-data boundary=abc', 'multipart/related; boundary=x'])(
    'refuses %j with Go\'s text', (ct) => {
      expect(() => { checkUploadContentType(ct) }).toThrow(new InvalidUploadError("request Content-Type isn't multipart/form-data"))
    })

  it('refuses a missing boundary with Go\'s text', () => {
    expect(() => { checkUploadContentType('multipart/form-data') }).toThrow('no multipart boundary param in Content-Type')
  })
})

describe('checkAddParams', () => {
  it('accepts what the Go ctl sends', () => {
    expect(() => { checkAddParams(params({ chunker: 'size-262144', 'cid-version': '0', hash: 'sha2-256', layout: '', format: 'unixfs' })) }).not.toThrow()
    for (const hash of ['sha2-512', 'SHA3-224', 'sha3-256', 'sha3-384', 'keccak-256', 'keccak-512', 'blake2b-256', 'blake2b-512', 'blake2s-256', 'shake-256', 'blake3', 'sha1', 'dbl-sha2-256']) {
      expect(() => { checkAddParams(params({ hash, 'cid-version': '1' })) }, hash).not.toThrow()
    }
    for (const chunker of ['size-1', 'size-1048576', 'rabin', 'rabin-65536', 'rabin-16-32-64', 'rabin-min:100-avg:200-max:300', 'default']) {
      expect(() => { checkAddParams(params({ chunker })) }, chunker).not.toThrow()
    }
  })

  it.each([
    [{ shard: 'true' }, /sharded adds/],
    [{ nocopy: 'true' }, /nocopy/],
    [{ hash: 'md5', 'cid-version': '1' }, 'unrecognized hash function: md5'],
    [{ hash: 'keccak-224', 'cid-version': '1' }, 'unrecognized hash function: keccak-224'],
    [{ hash: 'sha3-512' }, 'CIDv0 only supports sha2-256'],
    [{ 'cid-version': '2' }, 'unknown CID version: 2'],
    [{ chunker: 'size-0' }, 'chunker size must be greater than 0'],
    [{ chunker: 'size-1048577' }, 'chunker parameters may not exceed the maximum chunk size of 1048576'],
    [{ chunker: 'size-abc' }, /invalid syntax/],
    [{ chunker: 'rabin-8-32-64' }, 'rabin min must be greater than 16'],
    [{ chunker: 'rabin-64-32-128' }, 'incorrect format: rabin-min must be smaller than rabin-avg'],
    [{ chunker: 'rabin-16-64-64' }, 'incorrect format: rabin-avg must be smaller than rabin-max'],
    [{ chunker: 'rabin-1000000' }, /maximum chunk size/],
    [{ chunker: 'rabin-1-2' }, /incorrect format/],
    [{ chunker: 'buzhash' }, /buzhash is not supported/],
    [{ chunker: 'fancy' }, 'unrecognized chunker option: fancy']
  ])('refuses %j', (query, message) => {
    expect(() => { checkAddParams(params(query as Record<string, string>)) }).toThrow(UnsupportedAddOptionError)
    expect(() => { checkAddParams(params(query as Record<string, string>)) }).toThrow(message)
  })

  it('addUpload refuses the same options before reading anything', async () => {
    const { iterable, state } = trackedBody(bigFolder)
    const run = addUpload({ contentType: bigFolder.contentType, body: iterable }, params({ shard: 'true' }), new MemorySink())
    await expect(run[Symbol.asyncIterator]().next()).rejects.toThrow(UnsupportedAddOptionError)
    expect(state.sent).toBe(0)
  })
})

describe('failures during an add', () => {
  it('a body cut in the middle of a file is an InvalidUploadError', async () => {
    const truncated = { ...bigFolder, bytes: bigFolder.bytes.subarray(0, 2_000_000) }
    const err = await runAdd(truncated).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(InvalidUploadError)
    expect((err as Error).message).toBe('malformed multipart upload: unexpected end of the body')
  })

  it('a body without the closing boundary is an InvalidUploadError', async () => {
    const body = goMultipart([{ type: 'file', path: 'a.txt', data: 'hello' }])
    const truncated = { ...body, bytes: body.bytes.subarray(0, body.bytes.length - 10) }
    await expect(runAdd(truncated)).rejects.toThrow(InvalidUploadError)
  })

  it('a body that fails is an InvalidUploadError carrying the cause', async () => {
    const cause = new Error('connection reset')
    async function * failing (): AsyncGenerator<Uint8Array> {
      yield bigFolder.bytes.subarray(0, 100_000)
      throw cause
    }
    const outputs = addUpload({ contentType: bigFolder.contentType, body: failing() }, params(), new MemorySink())
    const err = await (async () => { for await (const _ of outputs) { /* nothing */ } })().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(InvalidUploadError)
    expect((err as Error).message).toBe('reading the upload failed: connection reset')
    expect((err as Error).cause).toBe(cause)
  })

  it('a failing sink rejects the add with its own error; nothing is put afterwards', async () => {
    const boom = new Error('ipfs is down')
    let puts = 0
    const sink = { put: async (_block: Block) => { if (++puts === 3) throw boom } }
    const { iterable, state } = trackedBody(bigFolder)
    const outputs = addUpload({ contentType: bigFolder.contentType, body: iterable }, params(), sink)
    const err = await (async () => { for await (const _ of outputs) { /* nothing */ } })().catch((e: unknown) => e)
    expect(err).toBe(boom)
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(puts).toBe(3)
    expect(state.returned).toBe(true)
    expect(state.sent).toBeLessThan(bigFolder.bytes.length)
  })

  it('abort stops reading the upload and rejects with AddAbortedError', async () => {
    const controller = new AbortController()
    const sink = new MemorySink()
    const { iterable, state } = trackedBody(bigFolder)
    const put = sink.put.bind(sink)
    sink.put = async (block: Block) => {
      if (sink.puts === 2) controller.abort(new Error('client went away'))
      await put(block)
    }
    const outputs = addUpload({ contentType: bigFolder.contentType, body: iterable }, params(), sink, { signal: controller.signal })
    const err = await (async () => { for await (const _ of outputs) { /* nothing */ } })().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AddAbortedError)
    expect(((err as Error).cause as Error).message).toBe('client went away')
    expect(state.returned).toBe(true)
    const putsAtAbort = sink.puts
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(sink.puts).toBe(putsAtAbort)
  })

  it('an already aborted signal fails at once', async () => {
    const outputs = addUpload({ contentType: bigFolder.contentType, body: trackedBody(bigFolder).iterable }, params(), new MemorySink(), { signal: AbortSignal.abort() })
    await expect(outputs[Symbol.asyncIterator]().next()).rejects.toThrow(AddAbortedError)
  })

  it('a consumer that stops early with progress on releases the upload', async () => {
    const { iterable, state } = trackedBody(bigFolder)
    const sink = new MemorySink()
    for await (const out of addUpload({ contentType: bigFolder.contentType, body: iterable }, params({ progress: 'true' }), sink)) {
      expect(out.cid).toBeUndefined()
      break
    }
    expect(state.returned).toBe(true)
    const puts = sink.puts
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(sink.puts).toBe(puts)
  })

  it('abort with progress on rejects with AddAbortedError', async () => {
    const controller = new AbortController()
    const outputs = addUpload({ contentType: bigFolder.contentType, body: trackedBody(bigFolder).iterable }, params({ progress: 'true' }), new MemorySink(), { signal: controller.signal })
    const seen: unknown[] = []
    const err = await (async () => {
      for await (const out of outputs) {
        seen.push(out)
        controller.abort()
      }
    })().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AddAbortedError)
    expect(seen).toHaveLength(1)
  })

  it('a consumer that stops early releases the upload', async () => {
    const { iterable, state } = trackedBody(bigFolder)
    const sink = new MemorySink()
    for await (const out of addUpload({ contentType: bigFolder.contentType, body: iterable }, params(), sink)) {
      expect(out.name).toBe('d/one.bin')
      break
    }
    expect(state.returned).toBe(true)
    const puts = sink.puts
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(sink.puts).toBe(puts)
  })
})
