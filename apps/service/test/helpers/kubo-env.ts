/**
 * A real Kubo for the tests of one `describe` that start daemons in-process: started in its
 * beforeAll and made the daemons' IPFS API (CLUSTER_IPFSHTTP_NODEMULTIADDRESS), with a temporary
 * folder; both undone in its afterAll.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { KuboDaemon } from '@cluster/test-utils'

export interface KuboEnv {
  /** The temporary folder (config folders go below it). */
  readonly dir: string
  readonly kubo: KuboDaemon
}

export function kuboEnvFixture (prefix: string): KuboEnv {
  let dir: string | undefined
  let kubo: KuboDaemon | undefined
  const saved = process.env.CLUSTER_IPFSHTTP_NODEMULTIADDRESS
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), prefix))
    kubo = await KuboDaemon.start()
    process.env.CLUSTER_IPFSHTTP_NODEMULTIADDRESS = kubo.apiMultiaddr
  }, 60_000)
  afterAll(async () => {
    if (saved === undefined) delete process.env.CLUSTER_IPFSHTTP_NODEMULTIADDRESS
    else process.env.CLUSTER_IPFSHTTP_NODEMULTIADDRESS = saved
    await kubo?.stop()
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  })
  return {
    get dir () { if (dir === undefined) throw new Error('not started yet'); return dir },
    get kubo () { if (kubo === undefined) throw new Error('not started yet'); return kubo }
  }
}
