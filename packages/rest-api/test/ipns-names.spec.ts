import { describe, expect, it } from 'vitest'
import { P1, Q2 } from '@cluster/test-utils'
import { makeApp } from './helpers.ts'
import { parseIpfsPath } from '../src/ipfs-path.ts'

describe('IPNS names in pin paths', () => {
  it('a malformed name is a 400 before Kubo is asked (was a 500 "IPFS returned an invalid response")', async () => {
    const { app, fake } = makeApp()
    let asked = 0
    const resolve = fake.resolvePath.bind(fake)
    fake.resolvePath = (path: string) => { asked++; return resolve(path) }
    for (const name of ['%ff%fe', '%00', 'a..b', '-leading.example', 'x'.repeat(64) + '.example']) {
      for (const method of ['POST', 'DELETE']) {
        const res = await app.request(`/pins/ipns/${name}`, { method })
        expect(res.status, `${method} ${name}`).toBe(400)
        expect(((await res.json()) as { message: string }).message).toMatch(/^error parsing path: invalid path .*invalid IPNS name/)
      }
    }
    expect(asked).toBe(0)
  })

  it('keys and domain names pass', () => {
    for (const path of [`/ipns/${P1}`, '/ipns/example.org', '/ipns/_dnslink.example.org/sub/dir', `/ipns/${Q2}`, '/ipns/k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8']) {
      expect(() => parseIpfsPath(path), path).not.toThrow()
    }
  })
})
