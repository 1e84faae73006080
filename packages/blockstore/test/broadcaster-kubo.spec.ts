import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { KuboDaemon, loopbackNode, until } from '@cluster/test-utils'
import { multiaddr } from '@multiformats/multiaddr'
import { base64url } from 'multiformats/bases/base64'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HeadsBroadcaster, clusterGossipsubOptions, crdtTopic } from '../src/index.ts'
import type { Libp2p } from '@libp2p/interface'

const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const decode = (b: Uint8Array): string => new TextDecoder().decode(b)

interface KuboMessage { from: string, data: string }

/**
 * Kubo's gossipsub is go-libp2p-pubsub with strict signing, the library Go IPFS Cluster uses:
 * messages that cross in both directions show that our signatures verify in Go and Go's in ours.
 */
describe('HeadsBroadcaster with a real Kubo (go-libp2p-pubsub)', () => {
  const CLUSTER = 'kubo-pubsub-test'
  const topic = crdtTopic(CLUSTER)
  const mbTopic = base64url.encode(text(topic)) // Kubo's RPC takes topics multibase-encoded
  let kubo: KuboDaemon
  let node: Libp2p<{ pubsub: GossipSub, identify: unknown }>
  let heads: HeadsBroadcaster
  const trusted = new Set<string>()
  const fromKubo: KuboMessage[] = []
  const subscription = new AbortController()

  async function kuboPublish (data: string): Promise<void> {
    const form = new FormData()
    form.append('file', new Blob([text(data)]))
    await kubo.rpc('pubsub/pub', { arg: mbTopic }, form)
  }

  beforeAll(async () => {
    kubo = await KuboDaemon.start({ daemonArgs: ['--enable-pubsub-experiment'] })
    node = await loopbackNode<{ pubsub: GossipSub, identify: unknown }>({ identify: identify(), pubsub: gossipsub(clusterGossipsubOptions()) })
    trusted.add(kubo.peerId)
    heads = new HeadsBroadcaster({ pubsub: node.services.pubsub, self: node.peerId, clusterName: CLUSTER, isTrusted: p => trusted.has(p.toString()), deliverOwn: false })
    heads.start()

    // Kubo's subscription: newline-delimited JSON messages, read until the test ends.
    const res = await fetch(kubo.url('pubsub/sub', { arg: mbTopic }), { method: 'POST', signal: subscription.signal })
    void (async () => {
      let buffered = ''
      for await (const chunk of res.body ?? []) {
        buffered += Buffer.from(chunk).toString()
        let nl: number
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim()
          buffered = buffered.slice(nl + 1)
          if (line !== '') fromKubo.push(JSON.parse(line) as KuboMessage)
        }
      }
    })().catch(() => { /* the subscription is aborted at the end */ })

    await node.dial(multiaddr(kubo.swarmAddresses[0] ?? ''), { signal: AbortSignal.timeout(10_000) })
    await until(() => node.services.pubsub.getSubscribers(topic).some(p => p.toString() === kubo.peerId) ? true : undefined, 'Kubo subscribed to the CRDT topic')
    await until(async () => {
      const peers = await kubo.rpc<{ Strings: string[] | null }>('pubsub/peers', { arg: mbTopic })
      return peers.Strings?.includes(node.peerId.toString()) === true ? true : undefined
    }, 'Kubo sees our subscription')
  })

  afterAll(async () => {
    subscription.abort()
    heads?.stop()
    await node?.stop()
    await kubo?.stop()
  })

  it('a message Kubo signs is verified and delivered by our node', async () => {
    await kuboPublish('heads from kubo')
    expect(decode(await heads.next({ signal: AbortSignal.timeout(20_000) }))).toBe('heads from kubo')
  })

  it('a message our node signs is verified and delivered by Kubo', async () => {
    await heads.broadcast(text('heads from us'))
    const got = await until(() => fromKubo.find(m => m.from === node.peerId.toString()), 'Kubo receives our message')
    expect(decode(base64url.decode(got.data))).toBe('heads from us')
  })

  it('once Kubo is no longer trusted its messages are rejected', async () => {
    trusted.delete(kubo.peerId)
    const before = heads.rejected
    await kuboPublish('heads from an untrusted kubo')
    await until(() => heads.rejected > before ? true : undefined, 'our validator rejects Kubo\'s message')
    trusted.add(kubo.peerId)
    await kuboPublish('heads from a trusted kubo again')
    expect(decode(await heads.next({ signal: AbortSignal.timeout(20_000) }))).toBe('heads from a trusted kubo again')
  })
})
