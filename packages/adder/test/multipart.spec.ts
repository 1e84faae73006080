/** How the multipart upload is read: paths, part types, implicit directories, odd framing. */
import * as dagPb from '@ipld/dag-pb'
import { describe, expect, it } from 'vitest'
import { addUpload, InvalidUploadError } from '../src/index.ts'
import { goQueryUnescape, partPath } from '../src/entries.ts'
import { MemorySink, params, runAdd } from './helpers/add.ts'
import { goMultipart, pieces } from '@cluster/test-utils'
import type { UploadItem } from '@cluster/test-utils'

const names = (outputs: Array<{ name: string }>): string[] => outputs.map(o => o.name)

describe('paths', () => {
  it('query-unescapes like Go: %2F is a slash, + a space, bad escapes kept as sent', () => {
    expect(goQueryUnescape('photos%2Fcat+1.jpg')).toBe('photos/cat 1.jpg')
    expect(goQueryUnescape('%C3%BC%2B%25')).toBe('ü+%')
    expect(goQueryUnescape('100%')).toBeUndefined()
    expect(partPath('100%')).toBe('100%')
    expect(partPath('.%2Fa%2F%2Fb%2F')).toBe('a/b')
  })

  it('an empty path is a nameless part; parent-relative paths are refused', () => {
    expect(partPath('')).toBe('')
    expect(partPath('.%2F')).toBe('')
    expect(() => partPath('a%2F..%2F..%2Fetc')).toThrow(/invalid path/)
  })
})

describe('parts', () => {
  const explicit: UploadItem[] = [
    { type: 'dir', path: 'top' },
    { type: 'dir', path: 'top/a' },
    { type: 'file', path: 'top/a/x.txt', data: 'x' },
    { type: 'file', path: 'top/y.txt', data: 'y' }
  ]

  it('creates implicit directories for paths without a directory part', async () => {
    const implicit = explicit.filter(i => i.type !== 'dir')
    const [a, b] = await Promise.all([runAdd(goMultipart(explicit)), runAdd(goMultipart(implicit))])
    expect(names(b.outputs)).toEqual(['top/a/x.txt', 'top/y.txt', 'top/a', 'top'])
    expect(b.outputs.map(o => o.cid?.toString())).toEqual(a.outputs.map(o => o.cid?.toString()))
  })

  it('ignores mode, mtime and abspath (CIDs as plain ipfs add)', async () => {
    const [plain, meta] = await Promise.all([runAdd(goMultipart(explicit)), runAdd(goMultipart(explicit, { withMeta: true }))])
    expect(meta.outputs).toEqual(plain.outputs)
  })

  it('accepts multipart/mixed framing and a quoted boundary', async () => {
    const body = goMultipart(explicit, { mediaType: 'multipart/mixed', boundary: 'b0undary' })
    const mixed = await runAdd({ ...body, contentType: 'multipart/mixed; boundary="b0undary"' })
    const form = await runAdd(goMultipart(explicit))
    expect(mixed.outputs).toEqual(form.outputs)
  })

  it('reads a body delivered one byte at a time', async () => {
    const body = goMultipart([{ type: 'file', path: 'a%2Fb c.txt', data: 'hello\r\n--not-a-boundary\r\n' }])
    const { outputs } = await runAdd(body, {}, undefined, [1])
    expect(names(outputs)).toEqual(['a%2Fb c.txt'])
  })

  it('escaped names come back unescaped', async () => {
    const { outputs } = await runAdd(goMultipart([{ type: 'file', path: 'dir/sp ace+plus%pct ü.txt', data: 'z' }]))
    expect(names(outputs)).toEqual(['dir/sp ace+plus%pct ü.txt', 'dir'])
  })

  it('a symlink part becomes a UnixFS symlink node named after its path', async () => {
    const { outputs, sink } = await runAdd(goMultipart([{ type: 'dir', path: 'd' }, { type: 'symlink', path: 'd/link', target: '../elsewhere' }]))
    expect(names(outputs)).toEqual(['d/link', 'd'])
    const link = sink.get(outputs[0]!.cid!)!
    // dag-pb { Data: UnixFS { Type: Symlink (4), Data: target } }
    expect(Buffer.from(link.bytes).includes(Buffer.from('../elsewhere'))).toBe(true)
    expect(link.bytes[2]).toBe(0x08)
    expect(link.bytes[3]).toBe(0x04)
  })

  it('a directory part repeated after its children changes nothing', async () => {
    const twice = await runAdd(goMultipart([...explicit, { type: 'dir', path: 'top/a' }]))
    const once = await runAdd(goMultipart(explicit))
    expect(twice.outputs).toEqual(once.outputs)
  })

  it('refuses a file used as a directory, and duplicate files', async () => {
    await expect(runAdd(goMultipart([{ type: 'file', path: 'f', data: '1' }, { type: 'file', path: 'f/g', data: '2' }]), { 'wrap-with-directory': 'true' }))
      .rejects.toThrow(/f is not a directory/)
    await expect(runAdd(goMultipart([{ type: 'file', path: 'd/f', data: '1' }, { type: 'file', path: 'd/f', data: '2' }])))
      .rejects.toThrow(/directory already has entry by that name/)
  })

  it('a part without a filename, or with an empty one, is a nameless file (as boxo reads it)', async () => {
    const boundary = 'xyz'
    const contentType = `multipart/form-data; boundary=${boundary}`
    const named = await runAdd(goMultipart([{ type: 'file', path: 'f', data: 'hello' }]))
    const cid = named.outputs[0]!.cid!.toString()
    for (const disposition of ['form-data; name="file"', 'form-data; name="file"; filename=""', 'form-data']) {
      const bytes = Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n\r\nhello\r\n--${boundary}--\r\n`)
      const { outputs } = await runAdd({ contentType, bytes })
      expect(outputs.map(o => [o.name, o.cid?.toString()]), disposition).toEqual([['', cid]])
    }
    const bytes = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename=""\r\n\r\nhello\r\n--${boundary}--\r\n`)
    const kuboNames: string[] = []
    for await (const out of addUpload({ contentType, body: pieces(bytes) }, { ...params(), namelessAsCid: true }, new MemorySink())) kuboNames.push(out.name)
    expect(kuboNames).toEqual([cid])
  })

  it('reads `Content-Disposition: file` parts (boxo\'s non-form writer), RFC 2231 names, folded headers', async () => {
    const boundary = 'q'
    const part = (headers: string, body: string): string => `--${boundary}\r\n${headers}\r\n\r\n${body}\r\n`
    const text = part('Content-Disposition: file; filename="d"\r\nContent-Type: application/x-directory', '') +
      part('Content-Disposition: attachment;\r\n filename*=UTF-8\'\'d%2F%C3%BC.txt', 'u') +
      part('content-disposition: FILE; filename=d%2Fplain', 'p') + `--${boundary}--`
    const { outputs } = await runAdd({ contentType: `multipart/mixed; boundary=${boundary}`, bytes: Buffer.from(text) })
    expect(names(outputs)).toEqual(['d/ü.txt', 'd/plain', 'd'])
  })

  it('several nameless files are top-level entries of their own; wrapped, each is named by its CID', async () => {
    const boundary = 'n'
    const part = (body: string): string => `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n${body}\r\n`
    const body = { contentType: `multipart/form-data; boundary=${boundary}`, bytes: Buffer.from(part('one') + part('two') + `--${boundary}--\r\n`) }
    const plain = await runAdd(body)
    expect(names(plain.outputs)).toEqual(['', ''])
    const wrapped = await runAdd(body, { 'wrap-with-directory': 'true' })
    const [one, two] = plain.outputs.map(o => o.cid!.toString())
    expect(wrapped.outputs.map(o => o.cid?.toString()).slice(0, 2)).toEqual([one, two])
    // The wrapper links the files under their CIDs, as `ipfs add -w` does with stdin.
    const wrapper = dagPb.decode(wrapped.sink.get(wrapped.outputs[2]!.cid!)!.bytes)
    expect(wrapper.Links.map(l => l.Name).sort()).toEqual([one, two].sort())
    await expect(runAdd({ ...body, bytes: Buffer.from(part('same') + part('same') + `--${boundary}--`) }, { 'wrap-with-directory': 'true' }))
      .rejects.toThrow(/directory already has entry by that name/)
  })

  it('refuses a nameless directory part', async () => {
    const bytes = Buffer.from('--b\r\nContent-Disposition: form-data; name="file"; filename=""\r\nContent-Type: application/x-directory\r\n\r\n\r\n--b--\r\n')
    await expect(runAdd({ contentType: 'multipart/form-data; boundary=b', bytes })).rejects.toThrow(new InvalidUploadError('a directory in the upload has no name'))
  })

  it('frames like Go: preamble, padding after boundaries, an empty part without CRLF, LF-only lines, epilogue', async () => {
    const text = 'preamble line\r\n--b  \t\r\nContent-Disposition: form-data; filename="d"\r\nContent-Type: application/x-directory\r\n\r\n' +
      '--b\nContent-Disposition: form-data; filename="d%2Fx"\n\nx\r\n--bnot\r\n--b--\r\nepilogue'
    const { outputs, sink } = await runAdd({ contentType: 'multipart/form-data; boundary=b', bytes: Buffer.from(text) }, {}, undefined, [1, 2, 3])
    expect(names(outputs)).toEqual(['d/x', 'd'])
    expect(Buffer.from(sink.get(outputs[0]!.cid!)!.bytes).includes(Buffer.from('x\r\n--bnot'))).toBe(true)
  })

  it('refuses malformed part headers', async () => {
    const bad = async (headers: string): Promise<unknown> => await runAdd({ contentType: 'multipart/form-data; boundary=b', bytes: Buffer.from(`--b\r\n${headers}\r\n\r\nx\r\n--b--\r\n`) }).catch((e: unknown) => e)
    expect(await bad('no colon here')).toBeInstanceOf(InvalidUploadError)
    expect(String(await bad('Content-Disposition: form-data; filename="a"; filename="b"'))).toMatch(/bad Content-Disposition/)
    expect(String(await bad('Content-Disposition: form-data; filename="a\r\nContent-Type: /'))).toMatch(/malformed multipart upload/)
  })

  it('an upload without parts is an error', async () => {
    await expect(runAdd(goMultipart([]))).rejects.toThrow(/contains no files/)
  })

  it('without wrapping, each top-level entry is added in turn and the last is the root', async () => {
    const { outputs } = await runAdd(goMultipart([
      { type: 'file', path: 'b/1', data: '1' },
      { type: 'file', path: 'a.txt', data: 'a' },
      { type: 'file', path: 'c/2', data: '2' }
    ]))
    expect(names(outputs)).toEqual(['b/1', 'b', 'a.txt', 'c/2', 'c'])
  })

  it('the same content twice reaches the sink once', async () => {
    const data = 'same bytes'
    const { sink, outputs } = await runAdd(goMultipart([{ type: 'file', path: 'd/1', data }, { type: 'file', path: 'd/2', data }]))
    expect(outputs[0]!.cid!.equals(outputs[1]!.cid)).toBe(true)
    expect(sink.puts).toBe(2) // one file block, one directory block
  })
})
