import { join } from 'node:path'
import { runAsNodeVersion } from '@cluster/test-utils'
import { describe, expect, it } from 'vitest'

// The installed bins on a Node older than 24: they must say what is wrong, not fail at a missing export.
describe('ipfs-cluster-service and ipfs-cluster-follow on an older Node', () => {
  it.each(['ipfs-cluster-service', 'ipfs-cluster-follow'])('%s says it needs Node.js 24 and exits 1 without running the command', (program) => {
    const r = runAsNodeVersion('22.2.0', join(import.meta.dirname, '..', 'bin', `${program}.js`), ['--version'])
    expect({ stderr: r.stderr, stdout: r.stdout, status: r.status }).toEqual({ stderr: `${program} needs Node.js 24 or newer; this is Node.js 22.2.0\n`, stdout: '', status: 1 })
  })
})
