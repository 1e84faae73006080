// Reading or writing configuration must not load the peer: `ipfs-cluster-service --version`,
// `init` and the config layer import only the packages' config entries (`@cluster/*/config`),
// never their servers, the consensus, SQLite or libp2p's transports. Checked by recording every
// module the config layer's import resolves, in a fresh Node process.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const configIndex = fileURLToPath(new URL('../src/config/index.ts', import.meta.url))

function modulesLoadedBy (entry: string): string[] {
  const script = `
    import { registerHooks } from 'node:module'
    const seen = []
    registerHooks({ resolve: (specifier, context, next) => { const r = next(specifier, context); seen.push(r.url); return r } })
    await import(${JSON.stringify(entry)})
    console.log(JSON.stringify(seen))
  `
  const out = execFileSync(process.execPath, ['--conditions=source', '--input-type=module', '-e', script], { encoding: 'utf8' })
  return JSON.parse(out.trim().split('\n').at(-1) as string) as string[]
}

describe('the config layer\'s imports', () => {
  it('reach the packages\' config entries only, not their servers, the consensus or libp2p', () => {
    const loaded = modulesLoadedBy(configIndex)
    expect(loaded.some(u => u.includes('/packages/proxy/src/subpaths/config.ts'))).toBe(true)
    expect(loaded.some(u => u.includes('/packages/consensus/src/subpaths/config.ts'))).toBe(true)
    for (const heavy of ['better-sqlite3', '/hono/', '/libp2p/dist/', '@helia/bitswap', '/packages/proxy/src/server.ts', '/packages/rest-api/src/app.ts', '/packages/consensus/src/consensus.ts', '/packages/ipfs-connector/src/connector.ts', '/packages/pintracker/src/tracker.ts']) {
      expect(loaded.filter(u => u.includes(heavy)), heavy).toEqual([])
    }
  })
})
