/**
 * The ping metric keeps its cadence whatever Kubo does: a peer whose ping expires is taken for
 * gone by the others (out of the CRDT peerset, its pins repinned elsewhere), so neither a Kubo
 * slow to connect to the other Kubos nor one whose ID call hangs may hold a ping back.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { Metric, PeerId } from '@cluster/api'
import { until } from '@cluster/test-utils'
import { startPing, type PingHost } from '../src/cluster/ping.ts'

// Long enough that a loaded machine's late timers do not look like a late ping.
const INTERVAL_MS = 250
const SELF = '12D3KooWSelfSelfSelfSelfSelfSelfSelfSelfSelfSelfSelf' as PeerId
const OTHER = '12D3KooWOtherOtherOtherOtherOtherOtherOtherOtherOthe'
const THIRD = '12D3KooWThirdThirdThirdThirdThirdThirdThirdThirdThir'

interface Sent { at: number, metric: Metric }

/** The Kubo ID of a peer of the fake cluster. */
const kuboOf = (peer: string): string => `Qm${peer.slice(-8)}Kubo`

interface FakeKubo {
  ipfsId: (signal: AbortSignal | undefined) => Promise<{ id: string, addresses: string[] }>
  /** Resolves false when the Kubos stay unreachable. */
  connectSwarms: (signal: AbortSignal | undefined) => Promise<boolean | undefined>
}

/**
 * A peer with one other member (`members` can grow), whose Kubo `kubo` describes; `connected`
 * holds the Kubos ours is connected to (a `connectSwarms` that returns adds the ones it was given).
 */
function fakeHost (kubo: FakeKubo): { host: PingHost, sent: Sent[], swarmCalls: () => number, members: string[], connected: Set<string> } {
  const sent: Sent[] = []
  const members = [SELF, OTHER]
  const connected = new Set<string>()
  let swarmCalls = 0
  const host: PingHost = {
    peerId: SELF,
    options: { monitorPingIntervalMs: INTERVAL_MS, peername: 'self', publishIpfsAddresses: 'all' },
    connector: {
      ipfsId: async (options = {}) => await kubo.ipfsId(options.signal) as never,
      connectSwarms: async (addresses, options = {}) => {
        swarmCalls++
        if (await kubo.connectSwarms(options.signal) === false) return { attempted: 1, connected: 0 }
        for (const a of addresses as string[]) connected.add(a.split('/p2p/')[1] as string)
        return { attempted: 1, connected: 1 }
      },
      swarmPeers: async () => [...connected] as PeerId[]
    },
    monitor: { publish: async (metric: Metric) => { sent.push({ at: Date.now(), metric }) } },
    rpc: { call: (async (peer: string) => ({ ipfs: { id: kuboOf(peer), addresses: [`/ip4/127.0.0.1/tcp/4001/p2p/${kuboOf(peer)}`] } })) as never },
    ipfs: { addresses: [], published: [], error: 'not contacted yet' },
    peerset: () => members,
    card: peer => ({ peername: peer, ipfsPeerId: peer === SELF ? undefined : kuboOf(peer), ipfsAddresses: [] }),
    log: () => {}
  }
  return { host, sent, swarmCalls: () => swarmCalls, members, connected }
}

/** Resolves when `signal` aborts (a call that never answers on its own). */
async function never (signal: AbortSignal | undefined): Promise<never> {
  return await new Promise((_resolve, reject) => { signal?.addEventListener('abort', () => { reject(signal.reason) }, { once: true }) })
}

/** Every ping left before the one before it expired, and each is valid for twice the interval from when it left. */
function expectUnbroken (sent: Sent[]): void {
  for (const [i, s] of sent.entries()) {
    const validMs = Number(s.metric.expire / 1_000_000n) - s.at
    expect(validMs).toBeGreaterThanOrEqual(2 * INTERVAL_MS - 5)
    const next = sent[i + 1]
    if (next !== undefined) expect(next.at).toBeLessThan(Number(s.metric.expire / 1_000_000n))
  }
}

describe('the ping metric', () => {
  let stop: (() => void) | undefined
  afterEach(() => { stop?.(); stop = undefined })

  it('goes out every interval while our Kubo takes forever to connect to a new peer\'s Kubo, with one connecting pass at a time', async () => {
    const { host, sent, swarmCalls, members } = fakeHost({
      ipfsId: async () => ({ id: 'QmSelfKubo', addresses: ['/ip4/127.0.0.1/tcp/4001'] }),
      // The first pass (the other peer's Kubo) connects at once, the next one (a newcomer's) never.
      connectSwarms: async signal => swarmCalls() > 1 ? await never(signal) : undefined
    })
    stop = startPing(host)
    await until(() => sent.length >= 3 && swarmCalls() === 1 ? true : undefined, 'three pings and a connecting pass', 10_000, 10)
    members.push(THIRD)
    const before = sent.length
    await until(() => sent.length >= before + 6 ? true : undefined, 'six more pings', 10_000, 10)
    expectUnbroken(sent)
    expect(swarmCalls()).toBe(2)
    expect(JSON.parse(sent.at(-1)?.metric.value ?? '{}')).toEqual({ peer_name: 'self', ipfs_id: 'QmSelfKubo', ipfs_addresses: ['/ip4/127.0.0.1/tcp/4001'] })
  })

  it('goes out every interval with the last Kubo identity known while Kubo\'s ID call hangs', async () => {
    let answered = false
    const { host, sent } = fakeHost({
      ipfsId: async signal => {
        if (answered) return await never(signal)
        answered = true
        return { id: 'QmSelfKubo', addresses: ['/ip4/127.0.0.1/tcp/4001'] }
      },
      connectSwarms: async () => undefined
    })
    stop = startPing(host)
    await until(() => sent.length >= 6 ? true : undefined, 'six pings', 10_000, 10)
    expectUnbroken(sent)
    for (const s of sent) expect(JSON.parse(s.metric.value)).toMatchObject({ ipfs_id: 'QmSelfKubo' })
    expect(host.ipfs.error).not.toBe('')
  })

  it('connects our Kubo again to a Kubo it lost its connection to (restarted, paused), and never while it is connected', async () => {
    const { host, sent, swarmCalls, connected } = fakeHost({
      ipfsId: async () => ({ id: 'QmSelfKubo', addresses: [] }),
      connectSwarms: async () => undefined
    })
    stop = startPing(host)
    await until(() => sent.length >= 4 ? true : undefined, 'four pings', 10_000, 10)
    expect(swarmCalls()).toBe(1)
    expect([...connected]).toEqual([kuboOf(OTHER)])
    connected.clear()
    await until(() => swarmCalls() === 2 && connected.size === 1 ? true : undefined, 'the lost connection made again', 10_000, 10)
    const count = sent.length
    await until(() => sent.length >= count + 3 ? true : undefined, 'three more pings', 10_000, 10)
    expect(swarmCalls()).toBe(2)
  })

  it('tries a Kubo that stays unreachable less and less often', async () => {
    const { host, sent, swarmCalls } = fakeHost({
      ipfsId: async () => ({ id: 'QmSelfKubo', addresses: [] }),
      connectSwarms: async () => false
    })
    stop = startPing(host)
    // 12 pings 250 ms apart: tries at about 0, 250, 750 and 1,750 ms (then 3.75 s), not at every ping.
    await until(() => sent.length >= 12 ? true : undefined, 'twelve pings', 15_000, 10)
    expect(swarmCalls()).toBeGreaterThanOrEqual(3)
    expect(swarmCalls()).toBeLessThanOrEqual(5)
  })

  it('stops: no ping after stop, and a connecting pass under way is cancelled', async () => {
    let cancelled = false
    const { host, sent } = fakeHost({
      ipfsId: async () => ({ id: 'QmSelfKubo', addresses: [] }),
      connectSwarms: async signal => await never(signal).catch(() => { cancelled = true; return undefined })
    })
    const stopPing = startPing(host)
    await until(() => sent.length >= 2 ? true : undefined, 'two pings', 10_000, 10)
    stopPing()
    const count = sent.length
    await new Promise(resolve => setTimeout(resolve, 3 * INTERVAL_MS))
    expect(sent.length).toBe(count)
    expect(cancelled).toBe(true)
  })
})
