/**
 * A collaborative cluster for the `ipfs-cluster-follow` tests: a trusted TypeScript CRDT peer
 * that trusts only itself, and the followers' configuration published over HTTP.
 */
import { createServer } from 'node:http'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { RestClient } from '@cluster/rest-client'
import type { KuboDaemon } from '@cluster/test-utils'
import { main } from '../../src/cli/main.ts'
import { capture } from './capture.ts'
import { startDaemon, type DaemonProcess } from './daemon-process.ts'

export interface TrustedPeer {
  process: DaemonProcess
  id: string
  /** Its REST API. */
  api: RestClient
  /** Its `service.json`, as JSON. */
  config: Record<string, any>
  /** Its libp2p address (`/ip4/127.0.0.1/tcp/<port>/p2p/<id>`). */
  address: string
}

/** `init --randomports` with `trusted_peers` = itself, then the daemon on `kubo`. */
export async function startTrustedPeer (folder: string, kubo: KuboDaemon): Promise<TrustedPeer> {
  if (await main(['-c', folder, 'init', '--randomports'], capture()) !== 0) throw new Error('init failed')
  const id = JSON.parse(readFileSync(join(folder, 'identity.json'), 'utf8')).id as string
  const config = JSON.parse(readFileSync(join(folder, 'service.json'), 'utf8'))
  config.consensus.crdt.trusted_peers = [id]
  writeFileSync(join(folder, 'service.json'), JSON.stringify(config, null, 2))
  const process = await startDaemon(folder, ['daemon'], { CLUSTER_IPFSHTTP_NODEMULTIADDRESS: kubo.apiMultiaddr })
  const port = ([config.cluster.listen_multiaddress].flat()[0] as string).split('/')[4]
  return { process, id, api: new RestClient({ host: [config.api.restapi.http_listen_multiaddress].flat()[0] }), config, address: `/ip4/127.0.0.1/tcp/${port}/p2p/${id}` }
}

/**
 * The followers' configuration made from a trusted peer's: its address to bootstrap from, a
 * listen port of their own, no API section (the follower makes its own).
 */
export function followerTemplate (config: Record<string, any>, trustedAddress: string): Record<string, any> {
  const template = structuredClone(config)
  template.cluster.peer_addresses = [trustedAddress]
  template.cluster.listen_multiaddress = ['/ip4/127.0.0.1/tcp/0']
  template.cluster.peername = 'a-follower'
  delete template.api
  return template
}

/** Serves `body` at `/follower.json` on loopback; `close` stops serving. */
export async function publish (body: () => unknown): Promise<{ url: string, close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.url === '/follower.json') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body()))
    else res.writeHead(404).end()
  })
  await new Promise<void>(resolve => { server.listen(0, '127.0.0.1', resolve) })
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/follower.json`,
    close: async () => { await new Promise(resolve => { server.close(resolve) }) }
  }
}

/** SIGTERM, and wait for the process to end. */
export async function stopProcess (p: DaemonProcess | undefined): Promise<void> {
  if (p === undefined || p.child.exitCode !== null) return
  p.child.kill('SIGTERM')
  await new Promise(resolve => p.child.once('exit', resolve))
}
