import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

// The installed bin on a Node older than 24 (simulated: the version Node reports is changed
// before the bin runs). It must say what is wrong, not fail at a missing export.
describe('ipfs-cluster-service on an older Node', () => {
  it('says it needs Node.js 24 and exits 1 without running the command', () => {
    const olderNode = 'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"22.2.0"})'
    const r = spawnSync(process.execPath, ['--import', olderNode, join(import.meta.dirname, '..', 'bin', 'ipfs-cluster-service.js'), '--version'], { encoding: 'utf8' })
    expect(r.stderr).toBe('ipfs-cluster-service needs Node.js 24 or newer; this is Node.js 22.2.0\n')
    expect(r.stdout).toBe('')
    expect(r.status).toBe(1)
  })
})
