/** TLS and Basic auth: same behaviour as the Go ctl against a RestApiServer with both on. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { addUpload } from '@cluster/adder'
import { RestApiServer } from '@cluster/rest-api'
import { goCtl, normalise, tsCtl } from './harness.ts'
import { FakeCluster, P1, T0 } from '@cluster/test-utils'

let tlsServer: RestApiServer
let tlsHost: string
let plainServer: RestApiServer
let plainHost: string
let dir: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ctl-tls-add-'))
  writeFileSync(join(dir, 'hello.txt'), 'hello world\n')
  const fake = new FakeCluster()
  fake.adder = (upload, params, signal) => addUpload(upload, params, { put: async () => {} }, signal === undefined ? {} : { signal })
  tlsServer = new RestApiServer(fake, {
    httpListenMultiaddress: ['/ip4/127.0.0.1/tcp/0'],
    configDir: join(import.meta.dirname, 'fixtures'),
    sslCertFile: 'server.crt',
    sslKeyFile: 'server.key',
    basicAuthCredentials: { testuser: 'testpass' }
  }, { now: () => T0 })
  tlsHost = (await tlsServer.start()).multiaddr
  plainServer = new RestApiServer(new FakeCluster(), { httpListenMultiaddress: ['/ip4/127.0.0.1/tcp/0'] }, { now: () => T0 })
  plainHost = (await plainServer.start()).multiaddr
})

afterAll(async () => {
  await tlsServer?.stop()
  await plainServer?.stop()
  rmSync(dir, { recursive: true, force: true })
})

async function same (args: string[], env: Record<string, string> = {}): Promise<{ code: number, stdout: string }> {
  const go = await goCtl(args, env)
  const ts = await tsCtl(args, { env: { CLUSTER_CREDENTIALS: '', ...env } })
  expect({ ...ts, stdout: normalise(ts.stdout), stderr: normalise(ts.stderr) })
    .toEqual({ ...go, stdout: normalise(go.stdout), stderr: normalise(go.stderr) })
  return go
}

describe('TLS and Basic auth', () => {
  it('right credentials (flag or CLUSTER_CREDENTIALS; --basic-auth implies --https)', async () => {
    expect((await same(['--host', tlsHost, '--no-check-certificate', '--basic-auth', 'testuser:testpass', 'id'])).stdout).toContain(P1)
    expect((await same(['--host', tlsHost, '--https', '--no-check-certificate', 'version'], { CLUSTER_CREDENTIALS: 'testuser:testpass' })).code).toBe(0)
  })

  it('add sends the upload with the same credentials and TLS options', async () => {
    const file = join(dir, 'hello.txt')
    const ok = await same(['--host', tlsHost, '--no-check-certificate', '--basic-auth', 'testuser:testpass', 'add', file])
    expect(ok.stdout).toMatch(/^added Qm\w{44} hello.txt\n$/)
    const denied = await same(['--host', tlsHost, '--https', '--no-check-certificate', '--basic-auth', 'testuser:wrong', 'add', file])
    expect(denied.code).toBe(2)
    // Certificates are checked too (Go's x509 detail after this prefix is not reproduced).
    const [go, ts] = [await goCtl(['--host', tlsHost, '--https', 'add', file]), await tsCtl(['--host', tlsHost, '--https', 'add', file])]
    expect(ts.code).toBe(go.code)
    expect(ts.stdout).toContain('": tls: failed to verify certificate: x509: certificate signed by unknown authority')
  })

  it('talks to a REST API on a Unix socket given as /unix/<path>, as Go\'s ctl does (add too)', async () => {
    const sock = join(dir, 'api.sock')
    const fake = new FakeCluster()
    fake.adder = (upload, params, signal) => addUpload(upload, params, { put: async () => {} }, signal === undefined ? {} : { signal })
    const server = new RestApiServer(fake, { httpListenMultiaddress: [`/unix${sock}`] }, { now: () => T0 })
    await server.start()
    try {
      expect((await same(['--host', `/unix${sock}`, 'id'])).stdout).toContain(P1)
      expect((await same(['--host', `/unix${sock}`, 'add', join(dir, 'hello.txt')])).stdout).toMatch(/^added Qm\w{44} hello.txt\n$/)
    } finally {
      await server.stop()
    }
  })

  it('missing, empty or wrong credentials: 401 unauthorized, exit 2', async () => {
    for (const creds of [[], ['--basic-auth', 'testuser'], ['--basic-auth', 'testuser:wrong']]) {
      const r = await same(['--host', tlsHost, '--https', '--no-check-certificate', ...creds, 'id'])
      expect(r.code).toBe(2)
      expect(r.stdout).toMatch(/Code: 401\n {2}Message: unauthorized/)
    }
  })

  it('an unverifiable certificate, and HTTPS against plain HTTP, are transport errors (exit 1)', async () => {
    await same(['--host', plainHost, '--https', 'id'])
    // Go adds x509 detail that depends on the certificate; the wording up to there is the same.
    const args = ['--host', tlsHost, '--https', 'id']
    const [go, ts] = [await goCtl(args), await tsCtl(args)]
    expect(ts.code).toBe(go.code)
    const prefix = 'tls: failed to verify certificate: x509: certificate signed by unknown authority'
    expect(go.stdout).toContain(prefix)
    expect(ts.stdout).toContain(prefix)
  })
})
