import { join } from 'node:path'
import { runAsNodeVersion } from '@cluster/test-utils'
import { describe, expect, it } from 'vitest'

// The installed bin on a Node older than 24: it must say what is wrong, not fail at a missing export.
describe('ipfs-cluster-service on an older Node', () => {
  it('says it needs Node.js 24 and exits 1 without running the command', () => {
    const r = runAsNodeVersion('22.2.0', join(import.meta.dirname, '..', 'bin', 'ipfs-cluster-service.js'), ['--version'])
    expect({ stderr: r.stderr, stdout: r.stdout, status: r.status }).toEqual({ stderr: 'ipfs-cluster-service needs Node.js 24 or newer; this is Node.js 22.2.0\n', stdout: '', status: 1 })
  })
})
