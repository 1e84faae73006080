import http from 'node:http'
import type { Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { IpfsConnector } from '../src/index.ts'
import { closedPort, kuboHeaders, sendKuboError } from './helpers/fake-kubo.ts'

const PEER = '12D3KooWLz5dHyyrr9ZP5ZMW6TZxbqJfHW4BQy8hG3Cq1c2eDo2v'

/** A stand-in Kubo on a given port: answers `id`, or holds every request open when `hang`. */
async function kuboOn (port: number, opts: { hang?: boolean, status?: number } = {}): Promise<{ close: () => Promise<void> }> {
  const sockets = new Set<Socket>()
  const server = http.createServer((_req, res) => {
    if (opts.hang === true) return
    if (opts.status !== undefined) { sendKuboError(res, 'boom', opts.status); return }
    res.writeHead(200, kuboHeaders())
    res.end(JSON.stringify({ ID: PEER, Addresses: [], AgentVersion: 'kubo/0.41.0', ProtocolVersion: 'ipfs/0.1.0' }))
  })
  server.on('connection', s => { sockets.add(s); s.on('close', () => sockets.delete(s)) })
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve))
  return {
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>(resolve => server.close(() => { resolve() }))
    }
  }
}

let connector: IpfsConnector | undefined
const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
  connector?.shutdown()
  connector = undefined
})

describe('noticing that Kubo answers again', () => {
  it('a refused request marks Kubo down; once it listens again, the probe sees it within a second and onIpfsBack fires', async () => {
    const port = await closedPort()
    connector = new IpfsConnector({ config: { nodeMultiaddress: `/ip4/127.0.0.1/tcp/${port}` } })
    expect(connector.ipfsDown).toBe(false)
    await expect(connector.ipfsId()).rejects.toThrow()
    expect(connector.ipfsDown).toBe(true)

    let backs = 0
    const back = new Promise<number>(resolve => {
      cleanups.push(connector!.onIpfsBack(() => { backs++; resolve(Date.now()) }, { probeMs: 200 }))
    })
    await new Promise(resolve => setTimeout(resolve, 500))
    expect(backs).toBe(0)
    const started = Date.now()
    const kubo = await kuboOn(port)
    cleanups.push(kubo.close)
    expect(await back - started).toBeLessThan(1_500)
    expect(connector.ipfsDown).toBe(false)
    expect(backs).toBe(1)
  })

  it('an error answer is an answer; a request timing out before any reply marks Kubo down, the caller giving up does not', async () => {
    const port = await closedPort()
    const hung = await kuboOn(port, { hang: true })
    connector = new IpfsConnector({ config: { nodeMultiaddress: `/ip4/127.0.0.1/tcp/${port}`, ipfsRequestTimeoutMs: 300 } })
    await expect(connector.ipfsId({ signal: AbortSignal.timeout(100) })).rejects.toThrow()
    expect(connector.ipfsDown).toBe(false)
    await expect(connector.ipfsId()).rejects.toThrow(/timed out/)
    expect(connector.ipfsDown).toBe(true)
    await hung.close()

    const failing = await kuboOn(port, { status: 500 })
    cleanups.push(failing.close)
    await expect(connector.ipfsId()).rejects.toThrow(/boom/)
    expect(connector.ipfsDown).toBe(false)
  })

  it('stopping the watch stops the probes', async () => {
    const port = await closedPort()
    connector = new IpfsConnector({ config: { nodeMultiaddress: `/ip4/127.0.0.1/tcp/${port}` } })
    await expect(connector.ipfsId()).rejects.toThrow()
    let backs = 0
    const stop = connector.onIpfsBack(() => { backs++ }, { probeMs: 100 })
    stop()
    const kubo = await kuboOn(port)
    cleanups.push(kubo.close)
    await new Promise(resolve => setTimeout(resolve, 400))
    expect(backs).toBe(0)
    expect(connector.ipfsDown).toBe(true)
  })
})
