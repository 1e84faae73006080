import { byteStream } from '@libp2p/utils'
import { PskConnection } from './connection.ts'
import { PnetHandshakeError } from './errors.ts'
import { decodeV1Psk } from './key.ts'
import { NONCE_LENGTH } from './keystream.ts'
import type { AbortOptions, ConnectionProtector, MultiaddrConnection } from '@libp2p/interface'

export interface ProtectorInit {
  /** The swarm.key text: `/key/swarm/psk/1.0.0/\n/base16/\n<64 hex characters>`. */
  psk: Uint8Array
  /** Milliseconds for the nonce exchange when the caller gives no abort signal (default 1000). */
  timeout?: number
}

/**
 * A pre-shared-key connection protector for libp2p's `connectionProtector` option, as
 * `@libp2p/pnet`'s `preSharedKey({ psk })`. The key is decoded here, so a bad key fails when the
 * node is created, not on its first connection.
 */
export function preSharedKey (init: ProtectorInit): () => ConnectionProtector {
  const protector = new PreSharedKeyProtector(init)
  return () => protector
}

export class PreSharedKeyProtector implements ConnectionProtector {
  readonly tag: string
  private readonly psk: Uint8Array
  private readonly timeout: number

  constructor (init: ProtectorInit) {
    const decoded = decodeV1Psk(init.psk)
    this.psk = decoded.psk
    this.tag = decoded.tag
    this.timeout = init.timeout ?? 1000
  }

  readonly [Symbol.toStringTag] = '@cluster/pnet'

  /**
   * Each side sends a random 24-byte nonce and reads the other's; from then on every byte is
   * XORed with the XSalsa20 keystream of (psk, sender's nonce). Nothing authenticates the key:
   * with different keys the next layer (the Noise handshake) reads garbage and fails.
   */
  async protect (connection: MultiaddrConnection, options?: AbortOptions): Promise<MultiaddrConnection> {
    const log = connection.log.newScope('pnet')
    const localNonce = crypto.getRandomValues(new Uint8Array(NONCE_LENGTH))
    const signal = options?.signal ?? AbortSignal.timeout(this.timeout)
    const bytes = byteStream(connection)
    let remoteNonce: Uint8Array
    try {
      const [received] = await Promise.all([
        bytes.read({ bytes: NONCE_LENGTH, signal }),
        bytes.write(localNonce, { signal })
      ])
      remoteNonce = received.subarray()
    } catch (err) {
      const error = new PnetHandshakeError(`private network handshake failed: ${(err as Error).message}`, { cause: err })
      log.error('%e', error)
      // libp2p's transports close it too, but other callers of protect() need not.
      connection.abort(error)
      throw error
    }
    log('exchanged nonces')
    return new PskConnection({ maConn: bytes.unwrap(), psk: this.psk, localNonce, remoteNonce, log })
  }
}
