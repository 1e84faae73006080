import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { privateKeyToProtobuf } from '@libp2p/crypto/keys'
import {
  IdentityError, applyIdentityEnv, formatIdentity, generateIdentity, identityFromJson, identityToJson,
  loadIdentity, parseIdentity, readIdentityFile, writeIdentityFile
} from '../src/config/index.ts'
import { fixture, tempDir } from './fixtures/config/helpers.ts'

describe('identity.json (config.md §2)', () => {
  it('generates an Ed25519 identity whose ID is derived from its key', async () => {
    const identity = await generateIdentity()
    expect(identity.privateKey.type).toBe('Ed25519')
    expect(identity.id).toMatch(/^12D3KooW/)
    expect(identity.id).toBe(peerIdFromPrivateKey(identity.privateKey).toString())
    const json = identityToJson(identity)
    expect(json.private_key).toMatch(/^CAESQ/)
    const proto = Buffer.from(json.private_key, 'base64')
    expect([...proto.subarray(0, 4)]).toEqual([0x08, 0x01, 0x12, 0x40])
    expect(proto).toHaveLength(68)
    expect(Buffer.from(privateKeyToProtobuf(identity.privateKey)).equals(proto)).toBe(true)
  })

  it('round-trips through the file format Go writes (4 spaces, no trailing newline, 0600)', async () => {
    await using tmp = await tempDir()
    const identity = await generateIdentity()
    const path = join(tmp.dir, 'identity.json')
    await writeIdentityFile(path, identity)
    const text = await readFile(path, 'utf8')
    expect(text).toBe(`{\n    "id": "${identity.id}",\n    "private_key": "${identityToJson(identity).private_key}"\n}`)
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    const back = await readIdentityFile(path)
    expect(back.id).toBe(identity.id)
    expect(back.privateKey.equals(identity.privateKey)).toBe(true)
    expect(formatIdentity(back)).toBe(text)
  })

  it('loads an RSA identity of an older Go peer', async () => {
    const text = await fixture('identity-rsa.json')
    const identity = parseIdentity(text)
    expect(identity.id).toBe('QmdEtBsfumeH2V6dnx1fgn8zuW7XYjWdgJF4NEYpEBcTsg')
    expect(identity.privateKey.type).toBe('RSA')
    expect(identityToJson(identity).private_key).toBe((JSON.parse(text) as { private_key: string }).private_key)
  })

  it('accepts the CID form of the ID and writes base58', async () => {
    const identity = await generateIdentity()
    const cidForm = peerIdFromPrivateKey(identity.privateKey).toCID().toString()
    expect(cidForm).toMatch(/^bafz/)
    const back = identityFromJson({ id: cidForm, private_key: identityToJson(identity).private_key })
    expect(back.id).toBe(identity.id)
  })

  it('refuses a key that does not belong to the ID, and undecodable values', async () => {
    const a = await generateIdentity()
    const b = await generateIdentity()
    const mismatch = { id: a.id, private_key: identityToJson(b).private_key }
    expect(() => identityFromJson(mismatch)).toThrow(IdentityError)
    expect(() => identityFromJson(mismatch)).toThrow('identity ID does not match the private_key')
    expect(() => identityFromJson({ id: 'nope', private_key: identityToJson(a).private_key })).toThrow(/^error decoding cluster ID: /)
    expect(() => identityFromJson({ id: a.id, private_key: 'not base64!' })).toThrow('error decoding private_key: illegal base64 data at input byte 3')
    expect(() => identityFromJson({ id: a.id, private_key: 'AAAA' })).toThrow(/^error parsing private_key ID: /)
    expect(() => parseIdentity('{')).toThrow(IdentityError)
  })

  it('applies CLUSTER_ID and CLUSTER_PRIVATEKEY', async () => {
    const a = await generateIdentity()
    const b = await generateIdentity()
    const replaced = applyIdentityEnv(a, { CLUSTER_ID: b.id, CLUSTER_PRIVATEKEY: identityToJson(b).private_key })
    expect(replaced.id).toBe(b.id)
    expect(applyIdentityEnv(a, {})).toBe(a)
    expect(() => applyIdentityEnv(a, { CLUSTER_ID: b.id })).toThrow('identity ID does not match the private_key')
  })
})

describe('legacy identity inside service.json', () => {
  it('extracts it, saves identity.json and returns the notice', async () => {
    await using tmp = await tempDir()
    const identity = await generateIdentity()
    const servicePath = join(tmp.dir, 'service.json')
    const identityPath = join(tmp.dir, 'identity.json')
    const json = JSON.parse(await fixture('service-default.json')) as Record<string, any>
    json.cluster.id = identity.id
    json.cluster.private_key = identityToJson(identity).private_key
    await writeFile(servicePath, JSON.stringify(json))
    const loaded = await loadIdentity(identityPath, servicePath)
    expect(loaded.identity.id).toBe(identity.id)
    expect(loaded.notice).toBe(`\nNOTICE: identity information extracted from ${servicePath} and saved as ${identityPath}.\n\n`)
    expect((await readIdentityFile(identityPath)).id).toBe(identity.id)
    const again = await loadIdentity(identityPath, servicePath)
    expect(again.notice).toBeUndefined()
  })

  it('fails when neither file has an identity', async () => {
    await using tmp = await tempDir()
    const servicePath = join(tmp.dir, 'service.json')
    await writeFile(servicePath, await fixture('service-default.json'))
    await expect(loadIdentity(join(tmp.dir, 'identity.json'), servicePath)).rejects.toThrow(/^error loading identity: error decoding cluster ID/)
  })
})
