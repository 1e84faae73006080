/**
 * `RestClient.add` + `multipartUpload` against the real RestApiServer (TLS, Basic auth and a JWT
 * from `/token`), over a fake cluster whose adder reads the raw multipart body: the parts sent,
 * the parameters, errors in the answer and in the stream, and a 64 MiB upload that must stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defaultPinOptions, goQueryEscape, multipartBoundary } from '@cluster/api'
import type { AddedOutput, AddParams } from '@cluster/api'
import { RestApiServer } from '@cluster/rest-api'
import { FakeCluster, P1, P2, syntheticCid } from '@cluster/test-utils'
import type { FakeAddedNode } from '@cluster/test-utils'
import { multipartUpload, RestApiResponseError, RestClient } from '../src/index.ts'
import type { UploadEntry } from '../src/index.ts'

const FIXTURES = join(import.meta.dirname, '../../rest-api/test/fixtures')
/** Bodies up to this size are kept and split into parts; bigger ones are only counted. */
const KEEP = 1 << 20

interface Part { filename: string, type: string, abspath: string | undefined, content: string }

function parseParts (body: string, boundary: string): Part[] {
  return body.split(`--${boundary}`).slice(1, -1).map((raw) => {
    const [head = '', content = ''] = raw.replace(/^\r\n/, '').split('\r\n\r\n')
    return {
      filename: /filename="([^"]*)"/.exec(head)?.[1] ?? '',
      type: /Content-Type: (.*)/i.exec(head)?.[1]?.trim() ?? '',
      abspath: /Abspath-Encoded: (.*)/i.exec(head)?.[1]?.trim(),
      content: content.replace(/\r\n$/, '')
    }
  })
}

/** What the fake adder saw of the last upload. */
const seen = { bytes: 0, parts: [] as Part[], params: undefined as AddParams | undefined, failAfterFirst: false }

function fakeCluster (): FakeCluster {
  const fake = new FakeCluster()
  fake.adder = async function * (upload, params): AsyncGenerator<FakeAddedNode> {
    seen.bytes = 0
    seen.params = params
    const kept: Buffer[] = []
    for await (const chunk of upload.body) {
      seen.bytes += chunk.byteLength
      if (seen.bytes <= KEEP) kept.push(Buffer.from(chunk))
    }
    if (seen.bytes > KEEP) { yield { name: 'big', cid: syntheticCid(1), bytes: seen.bytes, size: seen.bytes }; return }
    seen.parts = parseParts(Buffer.concat(kept).toString('latin1'), multipartBoundary(upload.contentType))
    let i = 0
    for (const p of seen.parts) {
      yield { name: decodeURIComponent(p.filename.replaceAll('+', ' ')), cid: syntheticCid(++i), bytes: p.content.length, size: p.content.length }
      if (seen.failAfterFirst) throw new Error('adder failed')
    }
  }
  return fake
}

const params = (over: Partial<AddParams> = {}): AddParams => ({
  pinOptions: { ...defaultPinOptions(), name: 'docs', metadata: { kind: 'text' } },
  local: false,
  recursive: true,
  hidden: false,
  wrap: false,
  shard: false,
  streamChannels: true,
  format: 'unixfs',
  layout: 'balanced',
  chunker: 'size-262144',
  hashFunction: 'sha2-256',
  cidVersion: 0,
  rawLeaves: false,
  progress: false,
  noCopy: false,
  noPin: false,
  ...over
})

async function collect (it: AsyncIterable<AddedOutput>): Promise<AddedOutput[]> {
  const out: AddedOutput[] = []
  for await (const x of it) out.push(x)
  return out
}

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'restclient-add-'))
  mkdirSync(join(dir, 'docs'))
  writeFileSync(join(dir, 'docs', 'a b.txt'), 'hello world\n')
  symlinkSync('a b.txt', join(dir, 'docs', 'link'))
})
afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

describe('RestClient.add over TLS with Basic auth and a JWT', () => {
  let server: RestApiServer
  let url: string
  const ca = readFileSync(join(FIXTURES, 'server.crt'))

  beforeAll(async () => {
    server = new RestApiServer(fakeCluster(), {
      httpListenMultiaddress: ['/ip4/127.0.0.1/tcp/0'], configDir: FIXTURES, sslCertFile: 'server.crt', sslKeyFile: 'server.key',
      basicAuthCredentials: { admin: 's3cret' }
    })
    url = (await server.start()).url
  })
  afterAll(async () => { await server.stop() })

  const entries = (): UploadEntry[] => [
    { kind: 'dir', name: 'docs' },
    { kind: 'file', name: 'docs/a b.txt', path: join(dir, 'docs', 'a b.txt'), size: 12 },
    { kind: 'symlink', name: 'docs/link', path: join(dir, 'docs', 'link') },
    { kind: 'data', name: 'docs/gen', content: (async function * () { yield Buffer.from('gen') })() }
  ]

  it('uploads the parts as Go writes them and yields the outputs', async () => {
    const basic = new RestClient({ url, username: 'admin', password: 's3cret', tls: { ca } })
    const bearer = new RestClient({ url, token: await basic.token(), tls: { ca } })
    try {
      let counted = 0
      const out = await collect(bearer.add(multipartUpload(entries(), { onBytes: (n) => { counted += n } }), params()))
      expect(out.map((o) => [o.name, o.cid?.toString(), o.size, o.allocations])).toEqual([
        ['docs', syntheticCid(1).toString(), 0, [P1, P2]],
        ['docs/a b.txt', syntheticCid(2).toString(), 12, [P1, P2]],
        ['docs/link', syntheticCid(3).toString(), 7, [P1, P2]],
        ['docs/gen', syntheticCid(4).toString(), 3, [P1, P2]]
      ])
      expect(counted).toBe(15)
      expect(seen.parts).toEqual([
        { filename: 'docs', type: 'application/x-directory', abspath: undefined, content: '' },
        { filename: 'docs%2Fa+b.txt', type: 'application/octet-stream', abspath: goQueryEscape(join(dir, 'docs', 'a b.txt')), content: 'hello world\n' },
        { filename: 'docs%2Flink', type: 'application/symlink', abspath: undefined, content: 'a b.txt' },
        { filename: 'docs%2Fgen', type: 'application/octet-stream', abspath: undefined, content: 'gen' }
      ])
      expect(seen.params).toMatchObject({ recursive: true, streamChannels: true, pinOptions: { name: 'docs', metadata: { kind: 'text' } } })
      // Basic credentials work as well.
      expect(await collect(basic.add(multipartUpload(entries().slice(0, 2)), params({ wrap: true })))).toHaveLength(2)
      expect(seen.params?.wrap).toBe(true)
    } finally {
      basic.close()
      bearer.close()
    }
  })

  it('errors: 401 without credentials, the server refusing the parameters, a failure in the stream', async () => {
    const anon = new RestClient({ url, tls: { ca } })
    const bearer = new RestClient({ url, token: await new RestClient({ url, username: 'admin', password: 's3cret', tls: { ca } }).token(), tls: { ca } })
    try {
      const unauth = await collect(anon.add(multipartUpload(entries()), params())).catch((e: unknown) => e)
      expect(unauth).toBeInstanceOf(RestApiResponseError)
      expect((unauth as RestApiResponseError).body).toEqual({ code: 401, message: 'unauthorized: no auth provided' })
      const bad = await collect(bearer.add(multipartUpload(entries()), params({ layout: 'zigzag' as AddParams['layout'] }))).catch((e: unknown) => e)
      expect((bad as RestApiResponseError).body).toEqual({ code: 400, message: 'layout parameter is invalid' })
      seen.failAfterFirst = true
      const got: string[] = []
      const failed = await (async () => { for await (const o of bearer.add(multipartUpload(entries()), params())) got.push(o.name) })().catch((e: unknown) => e)
      expect(got).toEqual(['docs'])
      expect(failed).toBeInstanceOf(RestApiResponseError)
      expect((failed as RestApiResponseError).body).toEqual({ code: 500, message: 'adder failed' })
    } finally {
      seen.failAfterFirst = false
      anon.close()
      bearer.close()
    }
  })
})

describe('RestClient.add streams big uploads', () => {
  it('64 MiB generated: never more than a few MiB ahead of what the server has read', async () => {
    const server = new RestApiServer(fakeCluster(), { httpListenMultiaddress: ['/ip4/127.0.0.1/tcp/0'] })
    const client = new RestClient({ host: (await server.start()).multiaddr })
    const CHUNK = 64 * 1024
    const TOTAL = 64 * 1024 * 1024
    let produced = 0
    let maxAhead = 0
    async function * generated (): AsyncGenerator<Uint8Array> {
      while (produced < TOTAL) {
        maxAhead = Math.max(maxAhead, produced - seen.bytes)
        produced += CHUNK
        // A fresh chunk each time: buffering them would hold the whole upload.
        yield new Uint8Array(CHUNK)
      }
    }
    try {
      const out = await collect(client.add(multipartUpload([{ kind: 'data', name: 'big.bin', content: generated() }]), params()))
      expect(out.map((o) => o.name)).toEqual(['big'])
      expect(seen.bytes).toBeGreaterThan(TOTAL)
      expect(maxAhead).toBeLessThan(16 * 1024 * 1024)
    } finally {
      client.close()
      await server.stop()
    }
  }, 10_000)
})
