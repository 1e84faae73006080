/**
 * The real Go `ipfs-cluster-ctl` v1.1.6 against our server (backed by the fake cluster).
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RestApiServer } from '../src/index.ts'
import { startServer, seed } from './helpers.ts'
import { FakeCluster, C1, C2, P1, P2, I1, Q1, Q2, goCtlBinary, runGoCtl, type CtlRun } from '@cluster/test-utils'

function ctl (host: string, args: string[], extra: string[] = []): Promise<CtlRun> {
  return runGoCtl(['--host', host, ...extra, ...args])
}

/** Splits concatenated indented JSON objects (the ctl's stream output) into values. */
function jsonObjects (text: string): unknown[] {
  const out: unknown[] = []
  let depth = 0
  let start = -1
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (inString) { if (ch === '\\') i++; else if (ch === '"') inString = false; continue }
    if (ch === '"') inString = true
    else if (ch === '{' || ch === '[') { if (depth === 0) start = i; depth++ } else if (ch === '}' || ch === ']') { depth--; if (depth === 0) out.push(JSON.parse(text.slice(start, i + 1))) }
  }
  return out
}

let server: RestApiServer
let fake: FakeCluster
let host: string

beforeAll(async () => {
  goCtlBinary()
  fake = new FakeCluster()
  seed(fake)
  const s = await startServer({}, fake)
  server = s.server
  host = s.multiaddr
})

afterAll(async () => { await server?.stop() })

describe('Go ipfs-cluster-ctl v1.1.6 against the TS server', () => {
  it('id and peers ls (text and json)', async () => {
    const id = await ctl(host, ['id'])
    expect(id.code).toBe(0)
    expect(id.stdout).toContain(`${P1} | peer0 | Sees 1 other peers`)
    expect(id.stdout).toContain(`  > IPFS: ${I1}`)
    const peers = await ctl(host, ['peers', 'ls'])
    expect(peers.code).toBe(0)
    expect(peers.stdout).toContain(`${P2} | peer1 |`)
    const json = await ctl(host, ['peers', 'ls'], ['--enc', 'json'])
    expect(jsonObjects(json.stdout).map((o) => (o as { id: string }).id)).toEqual([P1, P2])
  })

  it('version (text and json)', async () => {
    expect((await ctl(host, ['version'])).stdout).toBe('1.1.6\n')
    expect((await ctl(host, ['version'], ['--enc', 'json'])).stdout).toBe('{\n    "version": "1.1.6"\n}\n')
  })

  it('pin add, pin ls, status, pin update, pin rm', async () => {
    const add = await ctl(host, ['pin', 'add', '--name', 'backup', '--metadata', 'kind=text', '-r', '2', Q1])
    expect(add.code).toBe(0)
    expect(add.stdout).toMatch(new RegExp(`^${Q1} \\| backup:\\n`))
    expect(add.stdout).toContain('> peer0                : PINNED |')
    expect(fake.pins.get(Q1)?.metadata).toEqual({ kind: 'text' })

    const direct = await ctl(host, ['pin', 'add', '--mode', 'direct', '--no-status', C2], ['--enc', 'json'])
    expect(jsonObjects(direct.stdout)[0]).toMatchObject({ cid: C2, mode: 'direct', max_depth: 0 })

    const ls = await ctl(host, ['pin', 'ls'])
    expect(ls.code).toBe(0)
    expect(ls.stdout).toContain(`${Q1} | backup | PIN | Repl. Factor: 2--2 | Allocations: [${[P1, P2].sort().join(' ')}] | Recursive | Metadata: yes | Exp: ∞ | Added: 2025-03-01 12:34:56`)
    expect(ls.stdout).toContain(`${C2} |  | PIN-DIRECT |`)
    const lsJson = await ctl(host, ['pin', 'ls'], ['--enc', 'json'])
    expect(jsonObjects(lsJson.stdout).map((p) => (p as { cid: string }).cid).sort()).toEqual([C1, C2, Q1].sort())
    const one = await ctl(host, ['pin', 'ls', C1])
    expect(one.stdout).toMatch(new RegExp(`^${C1} \\| dataset-2025 \\| PIN \\| Repl. Factor: -1 \\| Allocations: \\[everywhere\\]`))

    const status = await ctl(host, ['status'])
    expect(status.code).toBe(0)
    expect(status.stdout.match(/PINNED/g)?.length).toBe(6)
    const statusJson = await ctl(host, ['status', C1, Q1], ['--enc', 'json'])
    expect(jsonObjects(statusJson.stdout)).toHaveLength(2)
    const filtered = await ctl(host, ['status', '--filter', 'pin_error'])
    expect(filtered).toMatchObject({ code: 0, stdout: '' })

    const update = await ctl(host, ['pin', 'update', Q1, Q2])
    expect(update.code).toBe(0)
    expect(update.stdout).toMatch(new RegExp(`^${Q2}:\\n`))
    expect(fake.pins.get(Q2)?.pinUpdate?.toString()).toBe(Q1)

    const rm = await ctl(host, ['pin', 'rm', Q2])
    expect(rm.code).toBe(0)
    expect(rm.stdout.split(/\s/)[0]).toBe(`${Q2}:`)
    expect(rm.stdout).toContain('UNPINNED')
    const rmAgain = await ctl(host, ['pin', 'rm', Q2])
    expect(rmAgain.code).toBe(2)
    expect(rmAgain.stdout).toBe('An error occurred:\n  Code: 404\n  Message: pin is not part of the pinset\n')
  }, 60_000)

  it('status of one CID, local, and errors', async () => {
    const local = await ctl(host, ['status', '--local', C1], ['--enc', 'json'])
    expect(Object.keys((jsonObjects(local.stdout)[0] as { peer_map: object }).peer_map)).toEqual([P1])
    const text = await ctl(host, ['status', C1])
    expect(text.stdout).toBe(`${C1} | dataset-2025:\n    > peer1                : PINNED | 2025-03-01T12:34:56+01:00 | Attempts: 0 | Priority: false\n    > peer0                : PINNED | 2025-03-01T12:34:56+01:00 | Attempts: 0 | Priority: false\n`)
  })

  it('recover (single and all)', async () => {
    fake.statuses.set(C1, new Map([[P2, 'pin_error']]))
    const one = await ctl(host, ['recover', C1])
    expect(one.code).toBe(0)
    expect(one.stdout).toContain('> peer1                : PIN_QUEUED |')
    fake.statuses.set(C1, new Map([[P2, 'unpin_error']]))
    const all = await ctl(host, ['recover'], ['--enc', 'json'])
    expect(all.code).toBe(0)
    expect(jsonObjects(all.stdout)).toHaveLength(1)
    const none = await ctl(host, ['recover'])
    expect(none).toMatchObject({ code: 0, stdout: '' })
    fake.statuses.delete(C1)
  })

  it('health graph, alerts, metrics', async () => {
    const graph = await ctl(host, ['health', 'graph'])
    expect(graph.code).toBe(0)
    expect(graph.stdout).toMatch(/^digraph cluster \{/)
    expect(graph.stdout).toContain('C1 -> I0')
    expect(graph.stdout).toContain('T0 -> C1')
    const alerts = await ctl(host, ['health', 'alerts'])
    expect(alerts.stdout).toMatch(new RegExp(`^${P2}: ping\\. Expired at: 2 minutes ago\\. Triggered at: 1 minute ago\\n$`))
    const alertsJson = await ctl(host, ['health', 'alerts'], ['--enc', 'json'])
    expect((jsonObjects(alertsJson.stdout)[0] as unknown[])[0]).toMatchObject({ name: 'ping', peer: P2 })
    const names = await ctl(host, ['health', 'metrics'])
    expect(names.stdout).toBe('freespace\nping\npinqueue\ntag:group\n')
    const free = await ctl(host, ['health', 'metrics', 'freespace'])
    expect(free.stdout).toMatch(new RegExp(`^${P1} \\| freespace: 52 GB \\| Expires in: [0-9]+ seconds from now\\n`))
    const freeJson = await ctl(host, ['health', 'metrics', 'freespace'], ['--enc', 'json'])
    expect((jsonObjects(freeJson.stdout)[0] as Array<{ peer: string }>).map((m) => m.peer)).toEqual([P1, P2])
  })

  it('ipfs gc (text and json)', async () => {
    const gc = await ctl(host, ['ipfs', 'gc'])
    expect(gc.code).toBe(0)
    expect(gc.stdout).toContain(`peer0          \n  > CIDs:\n    - ${C2}\n    - ERROR: could not remove block\n`)
    const local = await ctl(host, ['ipfs', 'gc', '--local'], ['--enc', 'json'])
    expect(Object.keys((jsonObjects(local.stdout)[0] as { peer_map: object }).peer_map)).toEqual([P1])
  })

  it('API errors and stream trailer errors end with exit code 2', async () => {
    fake.failAfter.set('allocations', [1, 'state read failed'])
    const ls = await ctl(host, ['pin', 'ls'])
    expect(ls.code).toBe(2)
    expect(ls.stdout).toContain('An error occurred:\n  Code: 500\n  Message: state read failed\n')
    fake.failAfter.clear()
    const add = await ctl(host, ['pin', 'add', '--no-status', '--rmin', '3', '--rmax', '2', Q1])
    expect(add.code).toBe(2)
    expect(add.stdout).toContain('Message: cluster.replication_factor_min is larger than max')
  })
})

describe('Go ctl with TLS and basic auth', () => {
  it('--https --no-check-certificate and --basic-auth work; bad credentials print 401 unauthorized', async () => {
    const s = await startServer({
      configDir: join(import.meta.dirname, 'fixtures'), sslCertFile: 'server.crt', sslKeyFile: 'server.key',
      basicAuthCredentials: { testuser: 'testpass' }
    })
    try {
      const ok = await ctl(s.multiaddr, ['id'], ['--https', '--no-check-certificate', '--basic-auth', 'testuser:testpass'])
      expect(ok.code).toBe(0)
      expect(ok.stdout).toContain(P1)
      for (const creds of [[], ['--basic-auth', 'testuser'], ['--basic-auth', 'testuser:wrong']]) {
        const bad = await ctl(s.multiaddr, ['id'], ['--https', '--no-check-certificate', ...creds])
        expect(bad.code).toBe(2)
        expect(bad.stdout).toMatch(/Code: 401\n {2}Message: unauthorized/)
      }
      const plain = await ctl(s.multiaddr, ['id'], ['--basic-auth', 'testuser:testpass', '--force-http'])
      expect(plain.code).toBe(1)
    } finally {
      await s.server.stop()
    }
  }, 60_000)
})
