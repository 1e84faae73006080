import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PeerstoreError, peerstorePath, readPeerstoreFile, writePeerstoreFile } from '../src/config/index.ts'
import { tempDir } from './fixtures/config/helpers.ts'

const A = '12D3KooWRN8KRjpyg9rsW2w7StbBRGper65psTZm68cjud9KAkaW'
const B = '12D3KooWPwrYNj7VficHw5qYidepMGA85756kYgMdNmRM9A1ZHjN'

describe('peerstore file (config.md §1.4)', () => {
  it('round-trips, one address per line with its /p2p/ suffix', async () => {
    await using tmp = await tempDir()
    const path = join(tmp.dir, 'peerstore')
    const addrs = [`/ip4/192.168.1.10/tcp/9096/p2p/${A}`, `/dns4/cluster1.example.org/tcp/9096/p2p/${B}`]
    expect(await writePeerstoreFile(path, addrs)).toBe(2)
    expect(await readFile(path, 'utf8')).toBe(addrs.join('\n') + '\n')
    expect(await readPeerstoreFile(path)).toEqual(addrs)
  })

  it('accepts the older /ipfs/ form and writes /p2p/', async () => {
    await using tmp = await tempDir()
    const path = join(tmp.dir, 'peerstore')
    await writeFile(path, `/ip4/10.0.0.1/tcp/9096/ipfs/${A}\n`)
    const read = await readPeerstoreFile(path)
    expect(read).toEqual([`/ip4/10.0.0.1/tcp/9096/p2p/${A}`])
    await writePeerstoreFile(path, [`/ip4/10.0.0.1/tcp/9096/ipfs/${A}`])
    expect(await readFile(path, 'utf8')).toBe(`/ip4/10.0.0.1/tcp/9096/p2p/${A}\n`)
  })

  it('skips empty lines, lines not starting with / and unparsable lines (reported)', async () => {
    await using tmp = await tempDir()
    const path = join(tmp.dir, 'peerstore')
    await writeFile(path, `\n# comment\n/ip4/1.2.3.4/tcp/x/p2p/${A}\n/ip4/1.2.3.4/tcp/1/p2p/${B}\r\n`)
    const warnings: string[] = []
    expect(await readPeerstoreFile(path, { onWarning: (m) => { warnings.push(m) } })).toEqual([`/ip4/1.2.3.4/tcp/1/p2p/${B}`])
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(`error parsing multiaddress from ${path}`)
  })

  it('a missing file is nothing to load; an empty list gives an empty file', async () => {
    await using tmp = await tempDir()
    const path = join(tmp.dir, 'peerstore')
    expect(await readPeerstoreFile(path)).toEqual([])
    await writeFile(path, 'old content')
    await writePeerstoreFile(path, [])
    expect((await stat(path)).size).toBe(0)
  })

  it('refuses addresses without a peer ID and skips bare /p2p/ addresses', async () => {
    await using tmp = await tempDir()
    const path = join(tmp.dir, 'peerstore')
    await expect(writePeerstoreFile(path, ['/ip4/1.2.3.4/tcp/1'])).rejects.toThrow(PeerstoreError)
    expect(await writePeerstoreFile(path, [`/p2p/${A}`, `/ip4/1.2.3.4/tcp/1/p2p/${B}`])).toBe(1)
    expect(await readPeerstoreFile(path)).toEqual([`/ip4/1.2.3.4/tcp/1/p2p/${B}`])
  })

  it('is `peerstore` in the folder unless peerstore_file says otherwise (absolute paths honoured)', () => {
    expect(peerstorePath({ peerstoreFile: '' }, '/cfg')).toBe('/cfg/peerstore')
    expect(peerstorePath({ peerstoreFile: 'peers.txt' }, '/cfg')).toBe('/cfg/peers.txt')
    expect(peerstorePath({ peerstoreFile: '/var/peers' }, '/cfg')).toBe('/var/peers')
  })
})
