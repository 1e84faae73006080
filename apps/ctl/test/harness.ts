/**
 * Golden-test harness: a real RestApiServer (from @cluster/rest-api) over the fake cluster,
 * the real Go ipfs-cluster-ctl v1.1.6 and our ctl (in-process through `main`) run against it.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { RestApiServer } from '@cluster/rest-api'
import { main } from '../src/index.ts'
import type { CtlIo } from '../src/index.ts'
import { sleep } from '../src/io.ts'
import { FakeCluster, T0 } from '@cluster/test-utils'

export const GO_CTL = join(process.env.CLUSTER_GOBIN ?? join(import.meta.dirname, '../../../.cache/gobin'), 'ipfs-cluster-ctl')

export interface Run { code: number, stdout: string, stderr: string }

export function goCtl (args: string[], env: Record<string, string> = {}): Promise<Run> {
  if (!existsSync(GO_CTL)) throw new Error(`Go ipfs-cluster-ctl not found at ${GO_CTL}: run \`npm run setup\` first`)
  return new Promise((resolve) => {
    execFile(GO_CTL, args, { timeout: 60_000, env: { ...process.env, CLUSTER_CREDENTIALS: '', ...env } }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1
      resolve({ code, stdout, stderr })
    })
  })
}

export function testIo (over: Partial<CtlIo> = {}): { io: CtlIo, out: () => string, err: () => string } {
  let out = ''
  let err = ''
  const io: CtlIo = {
    stdout: (t) => { out += t },
    stderr: (t) => { err += t },
    env: { CLUSTER_CREDENTIALS: '' },
    now: () => BigInt(Date.now()) * 1_000_000n,
    cwd: process.cwd(),
    isTty: false,
    sleep,
    openFile: async () => { throw new Error('no files in tests') },
    ...over
  }
  return { io, out: () => out, err: () => err }
}

export async function tsCtl (args: string[], over: Partial<CtlIo> = {}): Promise<Run> {
  const t = testIo(over)
  const code = await main(args, t.io)
  return { code, stdout: t.out(), stderr: t.err() }
}

/** Log-line times and "N seconds" relative times differ between two runs: blank them out. */
export function normalise (text: string): string {
  return text
    .replace(/^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d{4})\t/gm, '<time>\t')
    .replace(/\b\d+ seconds (ago|from now)/g, '<n> seconds $1')
}

export async function startFakeServer (fake = new FakeCluster()): Promise<{ server: RestApiServer, fake: FakeCluster, host: string }> {
  const server = new RestApiServer(fake, { httpListenMultiaddress: ['/ip4/127.0.0.1/tcp/0'] }, { now: () => T0 })
  const addr = await server.start()
  return { server, fake, host: addr.multiaddr }
}
