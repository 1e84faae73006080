import { byteStream, multiaddrConnectionPair } from '@libp2p/utils'
import { describe, expect, it } from 'vitest'
import { InvalidPskError, PnetHandshakeError, decodeV1Psk, preSharedKey } from '../src/index.ts'
import { PskConnection } from '../src/connection.ts'
import { LAST_BLOCK } from '../src/keystream.ts'
import { SECRET_A, bytes, receive, swarmKey } from './helpers.ts'

const key = Buffer.from(SECRET_A, 'hex')

describe('swarm key text', () => {
  it('reads base16, base64 and bin encodings of the same key', () => {
    const header = '/key/swarm/psk/1.0.0/\n'
    expect(decodeV1Psk(swarmKey(SECRET_A)).psk).toEqual(new Uint8Array(key))
    expect(decodeV1Psk(new TextEncoder().encode(`${header}/base16/\n${SECRET_A.toUpperCase()}\n`)).psk).toEqual(new Uint8Array(key))
    expect(decodeV1Psk(new TextEncoder().encode(`${header}/base64/\n${key.toString('base64')}`)).psk).toEqual(new Uint8Array(key))
    const bin = Buffer.concat([Buffer.from(`${header}/bin/\n`), key])
    expect(decodeV1Psk(bin).psk).toEqual(new Uint8Array(key))
  })

  it.each([
    ['a short key', `/key/swarm/psk/1.0.0/\n/base16/\n${SECRET_A.slice(2)}`],
    ['a non-hex key', `/key/swarm/psk/1.0.0/\n/base16/\n${'zz'.repeat(32)}`],
    ['an unknown encoding', `/key/swarm/psk/1.0.0/\n/base58/\n${SECRET_A}`],
    ['a missing header', `/base16/\n${SECRET_A}`],
    ['the bare hex secret', SECRET_A]
  ])('refuses %s when the protector is created', (_name, text) => {
    expect(() => preSharedKey({ psk: new TextEncoder().encode(text) })).toThrow(InvalidPskError)
  })
})

describe('handshake failures', () => {
  it('rejects with PnetHandshakeError and aborts the connection when the remote closes before its nonce', async () => {
    const [a, b] = multiaddrConnectionPair()
    const failed = expect(preSharedKey({ psk: swarmKey(SECRET_A) })().protect(a)).rejects.toThrow(PnetHandshakeError)
    await b.close()
    await failed
    expect(a.status).not.toBe('open')
  })

  it('rejects with PnetHandshakeError when no nonce comes in time', async () => {
    const [a] = multiaddrConnectionPair()
    const started = Date.now()
    await expect(preSharedKey({ psk: swarmKey(SECRET_A), timeout: 100 })().protect(a)).rejects.toThrow(PnetHandshakeError)
    expect(Date.now() - started).toBeLessThan(2000)
    expect(a.status).toBe('aborted')
  })
})

describe('a protected connection that cannot go on closes instead of throwing', () => {
  /** Our end with keystreams near their last block; the other end is a raw connection. */
  function nearTheEnd (): { ours: PskConnection, raw: ReturnType<typeof byteStream> } {
    const [a, b] = multiaddrConnectionPair()
    const nonce = new Uint8Array(24)
    const ours = new PskConnection({ maConn: a, psk: key, localNonce: nonce, remoteNonce: nonce, log: a.log, startBlock: LAST_BLOCK })
    return { ours, raw: byteStream(b) }
  }

  it('sending past the end of the keystream aborts the connection; send() does not throw', async () => {
    const { ours, raw } = nearTheEnd()
    expect(ours.send(bytes(60))).toBe(true)
    expect((await raw.read({ bytes: 60 })).byteLength).toBe(60)
    expect(() => ours.send(bytes(100))).not.toThrow()
    expect(ours.status).toBe('aborted')
  })

  it('receiving past the end of the keystream aborts the connection, without an uncaught exception', async () => {
    const { ours, raw } = nearTheEnd()
    const closed = new Promise<Event & { error?: Error }>(resolve => { ours.addEventListener('close', resolve) })
    const first = receive(ours, 60)
    await raw.write(bytes(60))
    expect((await first).byteLength).toBe(60)
    await raw.write(bytes(100))
    expect((await closed).error?.name).toBe('KeystreamExhaustedError')
    expect(ours.status).toBe('aborted')
  })
})
