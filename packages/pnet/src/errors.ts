/** The pre-shared key is not a swarm.key text (`/key/swarm/psk/1.0.0/`, an encoding, 32 bytes). */
export class InvalidPskError extends Error {
  override readonly name = 'InvalidPskError'
  readonly code = 'ERR_INVALID_PSK'
}

/**
 * The nonce exchange that opens a protected connection failed: the remote closed, did not send
 * its 24-byte nonce in time, or the dial was aborted. The connection has been aborted.
 */
export class PnetHandshakeError extends Error {
  override readonly name = 'PnetHandshakeError'
  readonly code = 'ERR_PNET_HANDSHAKE'
}

/**
 * One direction of a connection used up the keystream this cipher can address (2^32 - 1 blocks of
 * 64 bytes, about 256 GiB): the connection is closed and libp2p dials a fresh one (new nonces).
 */
export class KeystreamExhaustedError extends Error {
  override readonly name = 'KeystreamExhaustedError'
  readonly code = 'ERR_PNET_KEYSTREAM_EXHAUSTED'

  constructor (message = 'private network keystream exhausted on this connection (about 256 GiB in one direction)') {
    super(message)
  }
}
