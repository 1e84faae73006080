import { afterEach, describe, expect, it } from 'vitest'
import {
  IpfsAbortedError, IpfsApiError, IpfsBadResponseError, IpfsRequestFailedError, IpfsStreamError, IpfsTimeoutError,
  IpfsTruncatedResponseError, IpfsUnreachableError, KuboClient, PinStalledError, type PinProgress
} from '../src/index.ts'
import { FakeKubo, closedPort, kuboHeaders, rawServer, sendJson, sendKuboError } from './helpers/fake-kubo.ts'
import { ManualClock, settle, until } from './helpers/manual-clock.ts'

const CID = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'
const CID2 = 'QmP63DkAFEnDYNjDYBpyNDfttu1fvUw99x1brscPzpqmmq'

let fake: FakeKubo | undefined
let client: KuboClient | undefined
afterEach(async () => {
  client?.destroy()
  client = undefined
  await fake?.close()
  fake = undefined
})

async function setup (handler: Parameters<typeof FakeKubo.start>[0], clock?: ManualClock): Promise<{ fake: FakeKubo, client: KuboClient }> {
  fake = await FakeKubo.start(handler)
  client = new KuboClient({ address: fake.multiaddr, clock })
  return { fake, client }
}

async function rejection (p: Promise<unknown>): Promise<unknown> {
  try {
    await p
  } catch (err) {
    return err
  }
  throw new Error('expected a rejection')
}

async function drain<T> (it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

describe('Kubo error bodies', () => {
  it('turns a 500 JSON body into IpfsApiError carrying Kubo\'s message', async () => {
    const { client } = await setup((_req, res) => { sendKuboError(res, 'invalid path "x": invalid cid') })
    const err = await rejection(client.pinRm(CID))
    expect(err).toBeInstanceOf(IpfsApiError)
    const e = err as IpfsApiError
    expect(e.code).toBe('ERR_IPFS_API')
    expect(e.status).toBe(500)
    expect(e.kuboMessage).toBe('invalid path "x": invalid cid')
    expect(e.kuboCode).toBe(0)
    expect(e.message).toBe(`IPFS error (pin/rm?arg=${CID}). Code: 500. Message: invalid path "x": invalid cid`)
  })

  it('keeps the 400 status of client errors and accepts a JSON object without Message', async () => {
    const { client } = await setup((_req, res) => { sendJson(res, 400, { Code: 1 }) })
    const err = await rejection(client.version()) as IpfsApiError
    expect(err).toBeInstanceOf(IpfsApiError)
    expect(err.status).toBe(400)
    expect(err.kuboMessage).toBe('')
  })

  it('turns a plain-text error (404 page not found) into IpfsRequestFailedError', async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'text/plain' })
      res.end('404 page not found\n')
    })
    const err = await rejection(client.id()) as IpfsRequestFailedError
    expect(err).toBeInstanceOf(IpfsRequestFailedError)
    expect(err.status).toBe(404)
    expect(err.message).toBe('IPFS request failed (is it running?) (id). Code 404: 404 page not found')
  })

  it('reports an error sent in the X-Stream-Error trailer after output started', async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(200, kuboHeaders(true))
      res.write(JSON.stringify({ Cid: CID, Type: 'recursive' }) + '\n')
      res.addTrailers({ 'X-Stream-Error': 'context canceled' })
      res.end()
    })
    const seen: string[] = []
    const err = await rejection((async () => {
      for await (const e of client.pinLs(['recursive'])) seen.push(e.cidString)
    })())
    expect(seen).toEqual([CID])
    expect(err).toBeInstanceOf(IpfsStreamError)
    expect((err as IpfsStreamError).kuboMessage).toBe('context canceled')
  })

  it('fails pin/add when the trailer reports an error even though progress was streamed', async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(200, kuboHeaders(true))
      res.write('{"Progress":3,"Bytes":100}\n')
      res.addTrailers({ 'X-Stream-Error': 'merkledag: not found' })
      res.end()
    })
    const err = await rejection(client.pinAdd(CID))
    expect(err).toBeInstanceOf(IpfsStreamError)
  })

  it('fails pin/add when the stream ends cleanly but without the final Pins line', async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(200, kuboHeaders(true))
      res.end('{"Progress":3}\n')
    })
    const err = await rejection(client.pinAdd(CID))
    expect(err).toBeInstanceOf(IpfsTruncatedResponseError)
    expect((err as Error).message).toContain('without the final')
  })
})

describe('broken transports', () => {
  it('gives IpfsUnreachableError (ECONNREFUSED) for a closed port and counts it for the back-off', async () => {
    const port = await closedPort()
    client = new KuboClient({ address: `/ip4/127.0.0.1/tcp/${port}` })
    const err = await rejection(client.id()) as IpfsUnreachableError
    expect(err).toBeInstanceOf(IpfsUnreachableError)
    expect(err.code).toBe('ERR_IPFS_UNREACHABLE')
    expect(err.systemCode).toBe('ECONNREFUSED')
    expect(err.message).toContain('is it running?')
    expect(client.http.gate.failureCount).toBe(1)
  })

  it('gives IpfsUnreachableError when the connection is reset before any answer', async () => {
    const { client } = await setup((req) => { req.socket.destroy() })
    const err = await rejection(client.id()) as IpfsUnreachableError
    expect(err).toBeInstanceOf(IpfsUnreachableError)
    expect(err.systemCode).toBe('ECONNRESET')
  })

  it('gives IpfsTruncatedResponseError when the connection drops mid-stream', async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(200, kuboHeaders(true))
      res.write(JSON.stringify({ Cid: CID, Type: 'recursive' }) + '\n{"Cid":"Qm')
      setTimeout(() => { res.socket?.destroy() }, 10)
    })
    const seen: string[] = []
    const err = await rejection((async () => {
      for await (const e of client.pinLs(['recursive'])) seen.push(e.cidString)
    })())
    expect(seen).toEqual([CID])
    expect(err).toBeInstanceOf(IpfsTruncatedResponseError)
  })

  it('gives IpfsBadResponseError for garbage JSON in a 200 answer', async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(200, kuboHeaders())
      res.end('<html>surprise</html>')
    })
    const err = await rejection(client.repoStat())
    expect(err).toBeInstanceOf(IpfsBadResponseError)
    expect((err as Error).message).toContain('<html>surprise')
  })

  it('gives IpfsBadResponseError for a garbage line in the middle of a stream', async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(200, kuboHeaders(true))
      res.end(`${JSON.stringify({ Cid: CID, Type: 'recursive' })}\n{garbage\n${JSON.stringify({ Cid: CID2, Type: 'recursive' })}\n`)
    })
    const err = await rejection(drain(client.pinLs(['recursive'])))
    expect(err).toBeInstanceOf(IpfsBadResponseError)
    expect((err as Error).message).toContain('line 2')
  })

  it('gives IpfsBadResponseError when the peer does not speak HTTP at all', async () => {
    const raw = await rawServer((s) => { s.end('SSH-2.0-OpenSSH_9.6\r\nwhat is this\r\n\r\n') })
    try {
      client = new KuboClient({ address: `/ip4/127.0.0.1/tcp/${raw.port}` })
      const err = await rejection(client.id())
      expect(err).toBeInstanceOf(IpfsBadResponseError)
      expect((err as Error).message).toContain('not an HTTP answer')
    } finally {
      await raw.close()
    }
  })

  it('gives IpfsTimeoutError when a hung daemon sends no headers before the deadline', async () => {
    const clock = new ManualClock()
    const { fake, client } = await setup(() => { /* never answer */ }, clock)
    const p = rejection(client.id({ timeoutMs: 5000 }))
    await until(() => fake.requests.length === 1, 'request to arrive')
    await clock.advance(4999)
    await settle()
    let done = false
    void p.then(() => { done = true })
    await settle()
    expect(done).toBe(false)
    await clock.advance(1)
    const err = await p as IpfsTimeoutError
    expect(err).toBeInstanceOf(IpfsTimeoutError)
    expect(err.timeoutMs).toBe(5000)
    expect(err.message).toBe('IPFS request timed out after 5000 ms (id)')
  })

  it('gives IpfsTimeoutError when the body stops flowing before the deadline', async () => {
    const clock = new ManualClock()
    const { client } = await setup((_req, res) => {
      res.writeHead(200, kuboHeaders(true))
      res.write(JSON.stringify({ Cid: CID, Type: 'recursive' }) + '\n')
    }, clock)
    const seen: string[] = []
    const p = rejection((async () => {
      for await (const e of client.pinLs(['recursive'], { timeoutMs: 1000 })) seen.push(e.cidString)
    })())
    await until(() => seen.length === 1, 'first line')
    await clock.advance(1000)
    expect(await p).toBeInstanceOf(IpfsTimeoutError)
  })

  it('gives IpfsAbortedError when the caller aborts, with the caller\'s reason as cause', async () => {
    const { fake, client } = await setup(() => { /* never answer */ })
    const ac = new AbortController()
    const p = rejection(client.swarmPeers({ signal: ac.signal }))
    await until(() => fake.requests.length === 1, 'request to arrive')
    const reason = new Error('shutting down')
    ac.abort(reason)
    const err = await p as IpfsAbortedError
    expect(err).toBeInstanceOf(IpfsAbortedError)
    expect(err.cause).toBe(reason)
  })
})

describe('pin/add stall detection', () => {
  it('cancels a pin whose progress stops, exactly pin_timeout after the last growth', async () => {
    const clock = new ManualClock()
    let write: ((line: string) => void) | undefined
    let closed = false
    const { client } = await setup((req, res) => {
      res.writeHead(200, kuboHeaders(true))
      write = (line) => { res.write(line + '\n') }
      req.on('close', () => { closed = true })
    }, clock)
    const progress: PinProgress[] = []
    const p = rejection(client.pinAdd(CID, { stallTimeoutMs: 5000, onProgress: (x) => { progress.push(x) } }))
    await until(() => write !== undefined, 'pin/add request')
    write?.('{}')
    write?.('{"Progress":1,"Bytes":10}')
    await until(() => progress.length === 2, 'progress lines')
    await clock.advance(4000)
    write?.('{"Progress":5,"Bytes":50}')
    await until(() => progress.length === 3, 'third progress line')
    await clock.advance(4000) // 8 s since start, 4 s since growth: still alive
    write?.('{"Progress":5,"Bytes":60}') // same node count: not progress
    await until(() => progress.length === 4, 'fourth line')
    await clock.advance(999)
    let settled = false
    void p.then(() => { settled = true })
    await settle()
    expect(settled).toBe(false)
    await clock.advance(1)
    const err = await p as PinStalledError
    expect(err).toBeInstanceOf(PinStalledError)
    expect(err.progress).toBe(5)
    expect(err.pinTimeoutMs).toBe(5000)
    expect(progress.map(x => x.progress)).toEqual([0, 1, 5, 5])
    await until(() => closed, 'request cancelled at the server')
  })

  it('cancels a pin that never gets headers (slow daemon) after pin_timeout', async () => {
    const clock = new ManualClock()
    const { fake, client } = await setup(() => { /* no headers */ }, clock)
    const p = rejection(client.pinAdd(CID, { stallTimeoutMs: 2000 }))
    await until(() => fake.requests.length === 1, 'request to arrive')
    await clock.advance(2000)
    expect(await p).toBeInstanceOf(PinStalledError)
  })

  it('lets a caller abort a pin in progress', async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(200, kuboHeaders(true))
      res.write('{"Progress":1}\n')
    })
    const ac = new AbortController()
    const progress: PinProgress[] = []
    const p = rejection(client.pinAdd(CID, { signal: ac.signal, onProgress: (x) => { progress.push(x) } }))
    await until(() => progress.length === 1, 'progress line')
    ac.abort()
    expect(await p).toBeInstanceOf(IpfsAbortedError)
  })
})

describe('already-aborted signals', () => {
  it('never sends a request when the signal is already aborted', async () => {
    const { fake, client } = await setup((_req, res) => { sendJson(res, 200, { Pins: [CID] }) })
    const ac = new AbortController()
    ac.abort(new Error('too late'))
    await expect(client.pinAdd(CID, { signal: ac.signal })).rejects.toBeInstanceOf(IpfsAbortedError)
    await expect(client.pinRm(CID, { signal: ac.signal })).rejects.toBeInstanceOf(IpfsAbortedError)
    expect(fake.requests).toHaveLength(0)
  })
})
