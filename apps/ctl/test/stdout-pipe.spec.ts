/**
 * The ctl's output piped to a command that stops reading (`ipfs-cluster-ctl pin ls | head -1`):
 * the ctl ends quietly with status 0 instead of an unhandled EPIPE error and its stack trace.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultPinOptions } from '@cluster/api'
import { runUntilReaderStops, syntheticCid, type FakeCluster } from '@cluster/test-utils'
import type { RestApiServer } from '@cluster/rest-api'
import { startFakeServer } from './harness.ts'

const CLI = join(import.meta.dirname, '..', 'src', 'cli.ts')
let server: RestApiServer
let fake: FakeCluster
let host: string

beforeAll(async () => {
  ({ server, fake, host } = await startFakeServer())
  // Far more than a pipe holds (64 KiB): the ctl is still writing when the reader goes away.
  for (let i = 0; i < 3000; i++) await fake.pin(syntheticCid(i + 1), { ...defaultPinOptions(), name: `pin ${i}` })
})

afterAll(async () => { await server.stop() })

describe('stdout piped to a reader that stops', () => {
  it('pin ls | head -1: status 0, nothing on stderr', async () => {
    const { code, stderr } = await runUntilReaderStops(process.execPath, ['--conditions=source', CLI, '--host', host, 'pin', 'ls'])
    expect(stderr).toBe('')
    expect(code).toBe(0)
  }, 30_000)
})
