/**
 * Golden-test harness: a real RestApiServer (from @cluster/rest-api) over the fake cluster,
 * the real Go ipfs-cluster-ctl v1.1.6 and our ctl (in-process through `main`) run against it.
 */
import { RestApiServer } from '@cluster/rest-api'
import { main } from '../src/index.ts'
import type { CtlIo } from '../src/index.ts'
import { sleep } from '../src/io.ts'
import { FakeCluster, runGoCtl, T0, type CtlRun } from '@cluster/test-utils'

export type Run = CtlRun

export const goCtl = runGoCtl

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
