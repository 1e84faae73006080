/** How the multipart upload is read: paths, part types, implicit directories, odd framing. */
import { describe, expect, it } from 'vitest'
import { InvalidUploadError } from '../src/index.ts'
import { goQueryUnescape, partPath } from '../src/entries.ts'
import { runAdd } from './helpers/add.ts'
import { goMultipart } from '@cluster/test-utils'
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

  it('refuses empty and parent-relative paths', () => {
    expect(() => partPath('')).toThrow(InvalidUploadError)
    expect(() => partPath('.')).toThrow(InvalidUploadError)
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

  it('refuses a part without a filename', async () => {
    const boundary = 'xyz'
    const bytes = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"\r\n\r\nhello\r\n--${boundary}--\r\n`)
    await expect(runAdd({ contentType: `multipart/form-data; boundary=${boundary}`, bytes })).rejects.toThrow(InvalidUploadError)
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
