/**
 * `add` against a small node:http `/add` endpoint (our RestApiServer answers 501 there): the Go
 * ctl and ours must send the same query and the same multipart entries, and print the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { goCtl, normalise, tsCtl } from './harness.ts'
import { addUpload } from '@cluster/adder'
import { RestApiServer } from '@cluster/rest-api'
import { FakeCluster, syntheticCid } from '@cluster/test-utils'

interface Upload { query: string, parts: Array<{ filename: string, type: string, size: number }> }

let server: Server
let host: string
let dir: string
const uploads: Upload[] = []
let failWith: string | undefined

/** Splits a multipart body into its parts' filename, content type and body size. */
function parseMultipart (body: Buffer, boundary: string): Upload['parts'] {
  const text = body.toString('latin1')
  return text.split(`--${boundary}`).slice(1, -1).map((raw) => {
    const [head = '', content = ''] = raw.replace(/^\r\n/, '').split('\r\n\r\n')
    const filename = /filename="([^"]*)"/.exec(head)?.[1] ?? ''
    const type = /Content-Type: (.*)/i.exec(head)?.[1]?.trim() ?? ''
    return { filename: decodeURIComponent(filename.replaceAll('+', ' ')), type, size: content.replace(/\r\n$/, '').length }
  })
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ctl-add-'))
  mkdirSync(join(dir, 'photos', 'sub'), { recursive: true })
  writeFileSync(join(dir, 'hello.txt'), 'hello world\n')
  writeFileSync(join(dir, 'photos', 'cat.jpg'), 'meow')
  writeFileSync(join(dir, 'photos', '.hidden'), 'secret')
  writeFileSync(join(dir, 'photos', 'sub', 'dog.jpg'), 'woof')
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const boundary = /boundary=(.*)$/.exec(req.headers['content-type'] ?? '')?.[1] ?? ''
      const parts = parseMultipart(Buffer.concat(chunks), boundary)
      uploads.push({ query: req.url!.replace(/expire-at=[^&]*/, 'expire-at=X'), parts })
      if (failWith !== undefined) {
        res.writeHead(400, { 'Content-Type': 'application/json' })
        res.end(JSON.stringify({ code: 400, message: failWith }))
        return
      }
      res.writeHead(200, { 'Content-Type': 'application/json', Trailer: 'X-Stream-Error' })
      const files = parts.filter((p) => p.type !== 'application/x-directory')
      const dirs = parts.filter((p) => p.type === 'application/x-directory').reverse()
      let i = 0
      for (const p of [...files, ...dirs]) res.write(JSON.stringify({ name: p.filename, cid: syntheticCid(++i).toString(), size: p.size + 10, allocations: [] }) + '\n')
      if (req.url!.includes('wrap-with-directory=true')) res.write(JSON.stringify({ name: '', cid: syntheticCid(99).toString(), size: 100 }) + '\n')
      res.addTrailers({ 'X-Stream-Error': req.url!.includes('name=fail') ? 'adder failed' : '' })
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  host = `/ip4/127.0.0.1/tcp/${(server.address() as { port: number }).port}`
})

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => { resolve() }))
  rmSync(dir, { recursive: true, force: true })
})

async function same (args: string[], target = host): Promise<void> {
  uploads.length = 0
  const go = await goCtl(['--host', target, ...args].map((a) => a.replace('@', dir + '/')))
  const ts = await tsCtl(['--host', target, ...args].map((a) => a.replace('@', dir + '/')))
  expect({ ...ts, stdout: normalise(ts.stdout), stderr: normalise(ts.stderr) })
    .toEqual({ ...go, stdout: normalise(go.stdout), stderr: normalise(go.stderr) })
  expect(uploads.length === 0 || uploads.length === 2).toBe(true)
  if (uploads.length === 2) expect(uploads[1]).toEqual(uploads[0])
}

describe('add: same request and output as Go ipfs-cluster-ctl', () => {
  it('a file, quiet modes, json', async () => {
    await same(['add', '@hello.txt'])
    expect(uploads[0]!.query).toBe('/add?chunker=size-262144&cid-version=0&format=unixfs&hash=sha2-256&hidden=false&layout=&local=false&mode=recursive&name=&no-pin=false&nocopy=false&progress=false&raw-leaves=false&recursive=false&replication-max=0&replication-min=0&shard=false&shard-size=104857600&stream-channels=true&user-allocations=&wrap-with-directory=false')
    await same(['add', '-q', '@hello.txt'])
    await same(['--enc', 'json', 'add', '@hello.txt'])
  })

  it('folders (recursive, hidden, wrapped, no-stream, quieter) and options', async () => {
    await same(['add', '-r', '@photos'])
    expect(uploads[0]!.parts.map((p) => p.filename)).toEqual(['photos', 'photos/cat.jpg', 'photos/sub', 'photos/sub/dog.jpg'])
    await same(['add', '-r', '--hidden', '@photos'])
    await same(['add', '-r', '-w', '--cid-version', '1', '--name', 'pics', '--metadata', 'kind=img', '@photos', '@hello.txt'])
    await same(['add', '-Q', '-r', '@photos'])
    await same(['--enc', 'json', 'add', '--no-stream', '-r', '@photos'])
    await same(['--enc', 'json', 'add', '--no-stream', '-Q', '-r', '@photos'])
    await same(['add', '--hash', 'sha3-512', '--layout', 'trickle', '--rmin', '1', '--rmax', '2', '--allocations', '12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR,bad', '--no-pin', '--local', '@hello.txt'])
  })

  it('errors: no path, directory without -r, CAR with wrap, nocopy, server and stream errors', async () => {
    await same(['add'])
    await same(['add', '@photos'])
    await same(['add', '--format', 'car', '@hello.txt', '@hello.txt'])
    await same(['add', '--nocopy', '@hello.txt'])
    await same(['add', '--metadata', 'nope', '@hello.txt'])
    await same(['add', '--expire-in', 'soon', '@hello.txt'])
    await same(['add', '--name', 'fail', '@hello.txt'])
    failWith = 'layout parameter is invalid'
    try {
      await same(['add', '@hello.txt'])
      await same(['--enc', 'json', 'add', '@hello.txt'])
    } finally {
      failWith = undefined
    }
  })
})

describe('add against our REST API and the real adder: same output as Go ipfs-cluster-ctl', () => {
  let rest: RestApiServer
  let restHost: string
  const fake = new FakeCluster()
  fake.adder = (upload, params, signal) => addUpload(upload, params, { put: async () => {} }, signal === undefined ? {} : { signal })

  beforeAll(async () => {
    rest = new RestApiServer(fake, { httpListenMultiaddress: ['/ip4/127.0.0.1/tcp/0'] })
    restHost = (await rest.start()).multiaddr
  })
  afterAll(async () => { await rest.stop() })

  it('prints the same lines for files, folders, wrapping and the CID options', async () => {
    await same(['add', '@hello.txt'], restHost)
    await same(['add', '-r', '@photos'], restHost)
    await same(['add', '-r', '-w', '@photos', '@hello.txt'], restHost)
    await same(['add', '-r', '--raw-leaves', '--layout', 'trickle', '@photos'], restHost)
    await same(['add', '-r', '--cid-version', '1', '--hash', 'sha3-512', '@photos'], restHost)
    await same(['add', '-Q', '-r', '@photos'], restHost)
    await same(['--enc', 'json', 'add', '-r', '--rmin', '1', '--rmax', '2', '@photos'], restHost)
    await same(['--enc', 'json', 'add', '--no-stream', '-r', '@photos'], restHost)
    const go = await goCtl(['--host', restHost, 'add', '-r', dir + '/photos'])
    expect(go.stdout.trim().split('\n').map(l => l.replace(/ Qm\w{44} /, ' <cid> '))).toEqual(['added <cid> photos/cat.jpg', 'added <cid> photos/sub/dog.jpg', 'added <cid> photos/sub', 'added <cid> photos'])
  })

  it('fails the same way when the upload cannot be added', async () => {
    await same(['add', '--chunker', 'size-0', '@hello.txt'], restHost)
    fake.failures.set('add', 'no peers to allocate to')
    try {
      await same(['add', '@hello.txt'], restHost)
    } finally {
      fake.failures.delete('add')
    }
  })
})
