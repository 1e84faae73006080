export { preSharedKey, PreSharedKeyProtector, type ProtectorInit } from './protector.ts'
export { decodeV1Psk, KEY_LENGTH, type DecodedPsk } from './key.ts'
export { XSalsa20Stream, NONCE_LENGTH } from './keystream.ts'
export { InvalidPskError, KeystreamExhaustedError, PnetHandshakeError } from './errors.ts'
