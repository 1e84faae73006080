/**
 * Golden comparison: the real Go ipfs-cluster-ctl v1.1.6 and ours against the same
 * RestApiServer (fake cluster behind it), same arguments → same stdout, stderr and exit code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServer } from 'node:net'
import type { RestApiServer } from '@cluster/rest-api'
import { goCtl, normalise, startFakeServer, tsCtl } from './harness.ts'
import type { Run } from './harness.ts'
import { C1, C2, examplePin, FakeCluster, P1, P2, P3, Q1, Q2 } from './fixtures.ts'

let server: RestApiServer
let fake: FakeCluster
let host: string

beforeAll(async () => {
  const s = await startFakeServer()
  server = s.server
  fake = s.fake
  host = s.host
})

afterAll(async () => { await server?.stop() })

/** Puts the fake back into its initial state: C1 pinned everywhere, P1+P2 members. */
function reset (): void {
  fake.pins.clear()
  fake.statuses.clear()
  fake.failures.clear()
  fake.failAfter.clear()
  fake.down.clear()
  fake.peerset = [P1, P2]
  fake.pins.set(C1, examplePin())
}

const view = (r: Run): Run => ({ code: r.code, stdout: normalise(r.stdout), stderr: normalise(r.stderr) })

let queue: Promise<unknown> = Promise.resolve()

/**
 * Runs both programs with the same state (`prepare` after each reset) and compares. Runs are
 * queued one after the other, since they share the fake cluster.
 */
function same (args: string[], prepare: () => void = () => undefined, hostArgs = ['--host', host]): Promise<Run> {
  const next = queue.then(async () => await compare(args, prepare, hostArgs))
  queue = next.catch(() => undefined)
  return next
}

async function compare (args: string[], prepare: () => void, hostArgs: string[]): Promise<Run> {
  reset(); prepare()
  const go = view(await goCtl([...hostArgs, ...args]))
  reset(); prepare()
  const ts = view(await tsCtl([...hostArgs, ...args]))
  expect(ts).toEqual(go)
  return go
}

const both = (args: string[], prepare?: () => void): Array<Promise<Run>> =>
  [same(args, prepare), same(['--enc', 'json', ...args], prepare)]

describe('identical output to Go ipfs-cluster-ctl', () => {
  it('id, version, peers ls (text and json)', async () => {
    expect((await same(['id'])).stdout).toContain(`${P1} | peer0 | Sees 1 other peers`)
    await same(['--enc', 'json', 'id'])
    expect((await same(['version'])).stdout).toBe('1.1.6\n')
    await same(['--enc=json', 'version'])
    const down = (): void => { fake.peerset = [P1, P2, P3]; fake.down.add(P3) }
    expect((await same(['peers', 'ls'], down)).stdout).toContain(`${P3} | ERROR: dial backoff`)
    await same(['--enc', 'json', 'peers', 'ls'], down)
  })

  it('pin add (status after 1 s, --no-status, options, json)', async () => {
    expect((await same(['pin', 'add', Q1])).stdout).toContain('PINNED')
    await same(['--enc', 'json', 'pin', 'add', '--name', 'backup', '--metadata', 'kind=text', '-r', '2', Q1])
    await same(['pin', 'add', '--no-status', '--mode', 'direct', '--allocations', `${P2}`, '--rmin', '1', '--rmax', '1', C2])
    await same(['--enc', 'json', 'pin', 'add', '--ns', `/ipfs/${Q2}`])
  }, 60_000)

  it('pin add --wait and pin rm --wait', async () => {
    await same(['pin', 'add', '--wait', '--wait-timeout', '10s', Q1])
    await same(['pin', 'rm', '-w', C1])
  }, 60_000)

  it('pin rm, pin update', async () => {
    expect((await same(['pin', 'rm', C1])).stdout).toContain('UNPINNED')
    await same(['--enc', 'json', 'pin', 'rm', '--no-status', C1])
    expect((await same(['pin', 'rm', Q2])).code).toBe(2)
    await same(['pin', 'update', '--name', 'next', C1, Q2])
    await same(['--enc', 'json', 'pin', 'update', '--ns', C1, Q2])
  }, 60_000)

  it('pin ls (all, one, filters, json)', async () => {
    const more = (): void => {
      fake.pins.set(Q1, { ...examplePin(), cid: fake.resolvePath(`/ipfs/${Q1}`), name: '', mode: 'direct', maxDepth: 0, replicationFactorMin: 1, replicationFactorMax: 2, allocations: [P2, P1], metadata: {} })
    }
    await Promise.all([...both(['pin', 'ls'], more), ...both(['pin', 'ls', C1], more)])
    await same(['pin', 'ls', '--filter', 'meta-pin'], more)
    await same(['pin', 'ls', '--filter', 'bogus'], more)
    expect((await same(['pin', 'ls', Q2])).code).toBe(2)
  })

  it('status (one, several, all, local, filter) and recover', async () => {
    const errored = (): void => { fake.statuses.set(C1, new Map([[P2, 'pin_error']])) }
    await Promise.all([
      ...both(['status', C1], errored), ...both(['status'], errored), ...both(['status', '--local', C1]),
      ...both(['status', C1, Q1]), same(['status', '--filter', 'pin_error'], errored), same(['status', '--filter', 'unpinned'])
    ])
    await Promise.all([...both(['recover', C1], errored), ...both(['recover'], errored), same(['recover'])])
    await same(['recover', '--local', C1], errored)
  })

  it('status of one CID when the server fails (Go prints an empty entry first)', async () => {
    const failing = (): void => { fake.failures.set('status', 'tracker is shutting down') }
    await Promise.all(both(['status', C1], failing))
  })

  it('health graph, alerts, metrics, bandwidth', async () => {
    const threePeers = (): void => { fake.peerset = [P1, P2, P3] }
    const p3down = (): void => { fake.peerset = [P1, P2, P3]; fake.down.add(P3) }
    expect((await same(['health', 'graph'])).stdout).toContain('C1 -> I0')
    await same(['health', 'graph', '--all-ipfs-peers'], threePeers)
    await same(['--enc', 'json', 'health', 'graph'], p3down)
    await Promise.all([
      ...both(['health', 'alerts']), ...both(['health', 'metrics']), ...both(['health', 'metrics', 'freespace']),
      ...both(['health', 'metrics', 'ping']), ...both(['health', 'metrics', 'nothing']), ...both(['health', 'bandwidth'])
    ])
  })

  it('ipfs gc (text and json, with a peer down)', async () => {
    const p3down = (): void => { fake.peerset = [P1, P2, P3]; fake.down.add(P3) }
    await Promise.all([...both(['ipfs', 'gc'], p3down), ...both(['ipfs', 'gc', '--local'])])
  })

  it('errors: bad CID, bad peer ID, unknown peer, API errors, stream errors', async () => {
    await Promise.all([
      same(['status', 'not-a-cid']), same(['pin', 'ls', 'zzz']), same(['pin', 'add', 'xyz']), same(['pin', 'add']),
      same(['pin', 'rm', '/ipns/']), same(['pin', 'update', 'nope', Q1]), same(['recover', 'Qm']), same(['peers', 'rm', 'xyz']),
      same(['peers', 'rm']), ...both(['peers', 'rm', P3]), same(['pin', 'add', '--metadata', 'novalue', Q1]),
      same(['pin', 'add', '--allocations', 'bad', Q1]), same(['pin', 'add', '--expire-in', '3 days', Q1]),
      same(['status', '--filter', 'nothing'])
    ])
    const failing = (): void => { fake.failAfter.set('allocations', [1, 'state read failed']) }
    await Promise.all(both(['pin', 'ls'], failing))
    await Promise.all(both(['pin', 'add', '--no-status', '--rmin', '3', '--rmax', '2', Q1]))
    await Promise.all(both(['id'], () => { fake.failures.set('id', 'boom') }))
  })

  it('usage errors and help', async () => {
    await Promise.all([
      same(['--help']), same(['help']), same(['h']), same(['help', 'pin']), same(['pin']), same(['pin', '--help']),
      same(['pin', 'help']), same(['pin', 'help', 'ls']), same(['health']), same(['ipfs', '-h']), same(['peers', 'ls', '--help']),
      same(['commands']), same(['--version']), same(['foo']), same(['peers', 'add']), same(['pin', 'nope']),
      same(['pin', 'add', '--replication', 'x', Q1]), same(['pin', 'add', '--name']), same(['--timeout', 'x', 'id']),
      same(['id', '--bogus']), same(['pin', 'add', '--wait=maybe', Q1]), same(['pin', 'ls', '---x']), same(['--enc', 'yaml', 'id']),
      same(['--secret', 'abc', 'id']), same(['--secret', 'xy', 'id']), same(['--host', 'nope', 'id'])
    ])
  })
})

describe('server down', () => {
  it('transport errors: text and json, exit 1, the retry log line', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer()
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port
        s.close(() => { resolve(p) })
      })
    })
    const down = ['--host', `/ip4/127.0.0.1/tcp/${port}`]
    const r = await same(['id'], undefined, down)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('connect: connection refused')
    await Promise.all([
      same(['--enc', 'json', 'version'], undefined, down), same(['pin', 'ls'], undefined, down),
      same(['status', C1], undefined, down), same(['pin', 'rm', C1], undefined, down),
      same(['ipfs', 'gc'], undefined, ['--host', `/ip4/127.0.0.1/tcp/${port},/ip4/127.0.0.1/tcp/${port}`])
    ])
  })
})
