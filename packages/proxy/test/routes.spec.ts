import { describe, expect, it } from 'vitest'
import { parseAddParams, routeOf, sumRepoStats, ProxyArgumentError } from '../src/index.ts'

describe('routing', () => {
  it('intercepts the listed paths for POST, GET and PUT only', () => {
    for (const method of ['POST', 'GET', 'PUT']) expect(routeOf(method, '/api/v0/pin/add?arg=x')?.handler).toBe('pinAdd')
    for (const method of ['OPTIONS', 'HEAD', 'DELETE']) expect(routeOf(method, '/api/v0/pin/add?arg=x')).toBeUndefined()
    expect(routeOf('POST', '/api/v0/pin/ls')?.handler).toBe('pinLs')
    expect(routeOf('POST', '/api/v0/repo/gc')?.handler).toBe('repoGc')
    expect(routeOf('POST', '/api/v0/version')).toBeUndefined()
    expect(routeOf('POST', '/api/v0/pin/add/')).toBeUndefined()
    expect(routeOf('POST', '/api/v0/pin/addx')).toBeUndefined()
  })

  it('copies the slash-form argument into arg, replacing any other', () => {
    const r = routeOf('POST', '/api/v0/pin/rm/QmAbc?arg=other&x=1')
    expect(r?.handler).toBe('pinRm')
    expect(r?.slashForm).toBe(true)
    expect(r?.query.getAll('arg')).toEqual(['QmAbc'])
    expect(routeOf('POST', '/api/v0/pin/add/ipfs/QmAbc')).toBeUndefined()
    expect(routeOf('POST', '/api/v0/pin/update/QmAbc')).toBeUndefined()
  })

  it('intercepts block/put and dag/put only with pin=true', () => {
    expect(routeOf('POST', '/api/v0/block/put?pin=true')?.handler).toBe('blockPut')
    expect(routeOf('POST', '/api/v0/dag/put?pin=true&store-codec=dag-cbor')?.handler).toBe('dagPut')
    expect(routeOf('POST', '/api/v0/block/put?pin=1')).toBeUndefined()
    expect(routeOf('POST', '/api/v0/dag/put')).toBeUndefined()
  })
})

describe('add options', () => {
  it('maps Kubo and cluster options', () => {
    const p = parseAddParams(new URLSearchParams('recursive=true&trickle=true&replication-min=2&replication-max=3&name=n&meta-a=b&cid-version=1&pin=true'))
    expect(p.pinOptions.replicationFactorMin).toBe(2)
    expect(p.pinOptions.replicationFactorMax).toBe(3)
    expect(p.pinOptions.name).toBe('n')
    expect(p.pinOptions.metadata).toEqual({ a: 'b' })
    expect(p.layout).toBe('trickle')
    expect(p.cidVersion).toBe(1)
    expect(p.rawLeaves).toBe(true)
    expect(p.noPin).toBe(false)
    expect(p.streamChannels).toBe(true)
    expect(parseAddParams(new URLSearchParams('pin=false')).noPin).toBe(true)
    expect(parseAddParams(new URLSearchParams('stream-channels=f')).streamChannels).toBe(false)
  })

  it('rejects bad values with Go texts', () => {
    const cases: Array<[string, string]> = [
      ['progress=maybe', 'error parsing options:parameter progress invalid'],
      ['layout=zigzag', 'error parsing options:layout parameter is invalid'],
      ['format=tar', 'error parsing options:format parameter is invalid'],
      ['replication-min=x', 'error parsing options:parameter replication-min invalid'],
      ['only-hash=true', 'only-hash is not supported when adding to cluster'],
      ['trickle=sometimes', 'error parsing options:parameter trickle invalid']
    ]
    for (const [q, message] of cases) {
      expect(() => parseAddParams(new URLSearchParams(q)), q).toThrow(ProxyArgumentError)
      expect(() => parseAddParams(new URLSearchParams(q)), q).toThrow(message)
    }
  })
})

describe('repo/stat sums', () => {
  it('is exact beyond 2^53 and clamps at 2^64-1', () => {
    const max = (1n << 64n) - 1n
    expect(sumRepoStats([{ repoSize: 2n ** 60n, storageMax: max }, { repoSize: 2n ** 60n + 1n, storageMax: max }]))
      .toEqual({ repoSize: 2n ** 61n + 1n, storageMax: max })
  })
})
