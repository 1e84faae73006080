import { describe, expect, it } from 'vitest'
import { FailureChecker, MetricStore, WINDOW_SIZE, type MonitoredMetric } from '@cluster/monitor'

const S = 1_000_000_000n
interface TestMetric extends MonitoredMetric { value: string }

/** A clock the test moves by hand: TTLs are waited out instantly. */
function manualClock (start = 1_700_000_000n * S): { now: () => bigint, advance: (ns: bigint) => void } {
  let t = start
  return { now: () => t, advance: (ns) => { t += ns } }
}

function metric (name: string, peer: string, expire: bigint, valid = true, value = ''): TestMetric {
  return { name, peer, expire, valid, receivedAt: 0n, value }
}

describe('MetricStore', () => {
  it('returns the newest valid unexpired metric per peer, filtered to the peerset, sorted by peer', () => {
    const clock = manualClock()
    const store = new MetricStore<TestMetric>(clock)
    store.add(metric('freespace', 'peerB', clock.now() + 30n * S, true, 'old'))
    store.add(metric('freespace', 'peerB', clock.now() + 30n * S, true, 'new'))
    store.add(metric('freespace', 'peerA', clock.now() + 30n * S))
    store.add(metric('freespace', 'peerC', clock.now() + 30n * S, false))
    store.add(metric('freespace', 'removed', clock.now() + 30n * S))

    const latest = store.latest('freespace', new Set(['peerA', 'peerB', 'peerC']))
    expect(latest.map(m => [m.peer, m.value])).toEqual([['peerA', ''], ['peerB', 'new']])
    expect(latest[0]?.receivedAt).toBe(clock.now())

    clock.advance(31n * S)
    expect(store.latest('freespace')).toEqual([])
    // The last known metric stays available, expired or not (for a dead peer's peername).
    expect(store.latestForPeer('freespace', 'peerB')?.value).toBe('new')
  })

  it('keeps a window of the last 25 metrics per peer and name', () => {
    const clock = manualClock()
    const store = new MetricStore<TestMetric>(clock)
    for (let i = 0; i < 40; i++) store.add(metric('ping', 'p', clock.now() + S, true, String(i)))
    expect(WINDOW_SIZE).toBe(25)
    expect(store.latestForPeer('ping', 'p')?.value).toBe('39')
    expect(store.names()).toEqual(['ping'])
  })
})

describe('FailureChecker', () => {
  it('alerts once per outage, re-alerts while it lasts, and a fresh metric ends the episode', () => {
    const clock = manualClock()
    const store = new MetricStore<TestMetric>(clock)
    const checker = new FailureChecker(store, clock, { realertEveryChecks: 3 })
    const peerset = new Set(['alive', 'dead'])
    const ping = (peer: string): void => { store.add(metric('ping', peer, clock.now() + 30n * S)) }

    ping('alive'); ping('dead')
    expect(checker.check(peerset)).toEqual([])

    const alertsPerCheck: string[][] = []
    for (let i = 0; i < 7; i++) {
      clock.advance(15n * S)
      ping('alive')
      alertsPerCheck.push(checker.check(peerset).map(a => a.metric.peer))
    }
    // dead's ping (TTL 30 s) expires after the 2nd check; alerts on the 3rd, then every 3 checks.
    expect(alertsPerCheck).toEqual([[], [], ['dead'], [], [], ['dead'], []])

    ping('dead')
    expect(checker.check(peerset)).toEqual([])
    clock.advance(31n * S)
    ping('alive')
    const again = checker.check(peerset)
    expect(again.map(a => [a.metric.peer, a.triggeredAt])).toEqual([['dead', clock.now()]])
  })

  it('never alerts for peers outside the peerset or for names a peer never sent', () => {
    const clock = manualClock()
    const store = new MetricStore<TestMetric>(clock)
    const checker = new FailureChecker(store, clock)
    store.add(metric('ping', 'removed', clock.now() + S))
    store.add(metric('freespace', 'member', clock.now() + 100n * S))
    clock.advance(10n * S)
    expect(checker.check(new Set(['member']))).toEqual([])
  })
})
