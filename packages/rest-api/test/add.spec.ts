/**
 * `POST /add` (rest-api.md §4.15) over the fake cluster with the real adder plugged in:
 * NDJSON outputs, the part forms other clients send, failures before the first output as error
 * answers (400 for bad requests and uploads), later ones as a trailer, the buffered
 * (`stream-channels=false`) form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addUpload, type Block } from '@cluster/adder'
import { FakeCluster, lines, multipart, pieces, request } from '@cluster/test-utils'
import type { RestApiServer } from '../src/index.ts'
import { startServer } from './helpers.ts'

let server: RestApiServer
let fake: FakeCluster
let url: string
const stored = new Map<string, Block>()

const tree = [
  { name: 'photos', content: '', directory: true },
  { name: 'photos/cat.jpg', content: 'meow\n' },
  { name: 'photos/sub', content: '', directory: true },
  { name: 'photos/sub/dog.jpg', content: 'woof'.repeat(100_000) }
]

beforeAll(async () => {
  fake = new FakeCluster()
  fake.adder = (upload, params, signal) => addUpload(upload, params, { put: async (b) => { stored.set(b.cid.toString(), b) } }, signal === undefined ? {} : { signal })
  const s = await startServer({}, fake)
  server = s.server
  url = s.url
})

afterAll(async () => { await server?.stop() })

describe('POST /add', () => {
  it('streams one output per node, the root last, and pins the root with the query options', async () => {
    const m = multipart(tree, true)
    const a = await request(`${url}/add?name=photos&replication-min=1&replication-max=2&meta-kind=pics`, { headers: { 'Content-Type': m.contentType }, body: pieces(m.body) })
    expect(a.status).toBe(200)
    expect(a.headers['x-chunked-output']).toBe('1')
    expect(a.headers['cache-control']).toBe('no-cache')
    expect(a.headers.connection).toBe('close')
    expect(a.headers.trailer).toBe('X-Stream-Error')
    // No trailer value at all on success (unlike the other streams).
    expect(a.trailers['x-stream-error']).toBeUndefined()
    const out = lines(a.body) as Array<{ name: string, cid: string, size: number, allocations: string[] }>
    expect(out.map(o => o.name)).toEqual(['photos/cat.jpg', 'photos/sub/dog.jpg', 'photos/sub', 'photos'])
    expect(out.every(o => o.size > 0 && o.allocations.length === 2)).toBe(true)
    const root = out.at(-1)!.cid
    expect(stored.has(root)).toBe(true)
    const pin = fake.pins.get(root)
    expect(pin?.name).toBe('photos')
    expect(pin?.mode).toBe('recursive')
    expect(pin?.metadata).toEqual({ kind: 'pics' })
  })

  it('answers one JSON array with stream-channels=false', async () => {
    const m = multipart([{ name: 'hello.txt', content: 'hello world\n' }])
    const a = await request(`${url}/add?stream-channels=false&no-pin=true`, { headers: { 'Content-Type': m.contentType }, body: m.body })
    expect(a.status).toBe(200)
    expect(a.headers['x-chunked-output']).toBeUndefined()
    const out = JSON.parse(a.body) as Array<{ name: string, cid: string }>
    expect(out).toHaveLength(1)
    expect(out[0]).toMatchObject({ name: 'hello.txt', cid: 'QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o' })
    expect(fake.pins.has(out[0]!.cid)).toBe(false)
  })

  it('refuses what Go refuses with 400 and its texts, before reading the upload', async () => {
    const m = multipart([{ name: 'x.txt', content: 'x' }])
    const cases: Array<[string, Record<string, string>, string]> = [
      ['', { 'Content-Type': 'application/json' }, "request Content-Type isn't multipart/form-data"],
      ['', {}, "request Content-Type isn't multipart/form-data"],
      ['', { 'Content-Type': 'multipart/form-data' }, 'no multipart boundary param in Content-Type'],
      ['layout=zigzag', { 'Content-Type': m.contentType }, 'layout parameter is invalid'],
      ['format=tar', { 'Content-Type': m.contentType }, 'format parameter is invalid'],
      ['local=perhaps', { 'Content-Type': m.contentType }, 'parameter local invalid'],
      ['cid-version=one', { 'Content-Type': m.contentType }, 'parameter cid-version invalid'],
      ['replication-min=x', { 'Content-Type': m.contentType }, 'parameter replication-min invalid']
    ]
    for (const [query, headers, message] of cases) {
      const a = await request(`${url}/add?${query}`, { headers, body: m.body })
      expect(a.status, query).toBe(400)
      expect(JSON.parse(a.body), query).toEqual({ code: 400, message })
    }
  })

  it('takes the part forms other clients send: `Content-Disposition: file` without a name, an empty filename', async () => {
    const hello = 'QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o' // `ipfs add` of "hello world\n"
    const send = async (disposition: string): Promise<Response> => await fetch(`${url}/add`, {
      method: 'POST',
      headers: { 'Content-Type': 'multipart/form-data; boundary=xyz' },
      body: `--xyz\r\nContent-Disposition: ${disposition}\r\nContent-Type: application/octet-stream\r\n\r\nhello world\n\r\n--xyz--\r\n`
    })
    const fileForm = await send('file; filename="x"')
    expect(fileForm.status).toBe(200)
    expect(await fileForm.text()).toBe(`{"name":"x","cid":"${hello}","size":20,"allocations":["${fake.peerset[0]}","${fake.peerset[1]}"]}\n`)
    const nameless = await send('form-data; name="file"; filename=""')
    expect(nameless.status).toBe(200)
    expect(JSON.parse(await nameless.text())).toMatchObject({ name: '', cid: hello })
    expect(fake.pins.has(hello)).toBe(true)
  })

  it('a failure before the first output is an error answer: 400 for a bad upload or option, 500 for the cluster', async () => {
    const before = fake.pins.size
    const m = multipart([{ name: 'cut.txt', content: 'z'.repeat(10_000) }])
    const cut = await request(`${url}/add`, { headers: { 'Content-Type': m.contentType }, body: m.body.subarray(0, 5_000) })
    expect(cut.status).toBe(400)
    expect(cut.headers['content-type']).toBe('application/json')
    expect(cut.headers.trailer).toBeUndefined()
    expect(JSON.parse(cut.body)).toEqual({ code: 400, message: 'malformed multipart upload: unexpected end of the body' })
    const x = multipart([{ name: 'x.txt', content: 'x' }])
    const sharded = await request(`${url}/add?shard=true`, { headers: { 'Content-Type': x.contentType }, body: x.body })
    expect(sharded.status).toBe(400)
    expect(JSON.parse(sharded.body)).toEqual({ code: 400, message: 'sharded adds (shard=true) are not supported by this cluster peer' })
    const namelessDir = '--b\r\nContent-Disposition: form-data; filename=""\r\nContent-Type: application/x-directory\r\n\r\n\r\n--b--\r\n'
    const dir = await request(`${url}/add?stream-channels=false`, { headers: { 'Content-Type': 'multipart/form-data; boundary=b' }, body: namelessDir })
    expect(dir.status).toBe(400)
    expect(JSON.parse(dir.body)).toEqual({ code: 400, message: 'a directory in the upload has no name' })
    expect(fake.pins.size).toBe(before)
    fake.failures.set('add', 'no peers to allocate to')
    try {
      for (const query of ['', '?stream-channels=false']) {
        const a = await request(`${url}/add${query}`, { headers: { 'Content-Type': x.contentType }, body: x.body })
        expect(a.status, query).toBe(500)
        expect(JSON.parse(a.body), query).toEqual({ code: 500, message: 'no peers to allocate to' })
      }
    } finally {
      fake.failures.delete('add')
    }
  })

  it('reports a failure after the first output in the X-Stream-Error trailer and pins nothing', async () => {
    const m = multipart([{ name: 'd/one.txt', content: 'one' }, { name: 'd/cut.txt', content: 'z'.repeat(10_000) }])
    const before = fake.pins.size
    const a = await request(`${url}/add`, { headers: { 'Content-Type': m.contentType }, body: m.body.subarray(0, m.body.length - 5_000) })
    expect(a.status).toBe(200)
    expect((lines(a.body) as Array<{ name: string }>).map(o => o.name)).toEqual(['d/one.txt'])
    expect(a.trailers['x-stream-error']).toBe('malformed multipart upload: unexpected end of the body')
    expect(fake.pins.size).toBe(before)
  })
})
