import { AbstractMultiaddrConnection, type SendResult } from '@libp2p/utils'
import { XSalsa20Stream } from './keystream.ts'
import type { AbortOptions, Logger, MultiaddrConnection } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface PskConnectionInit {
  /** The raw connection, its nonce exchange done. */
  maConn: MultiaddrConnection
  psk: Uint8Array
  localNonce: Uint8Array
  remoteNonce: Uint8Array
  log: Logger
  /** Where each keystream starts (tests only: to reach the end of the keystream). */
  startBlock?: number
}

/**
 * The protected connection: what we send is XORed with the keystream of our nonce, what we
 * receive with the keystream of the remote's nonce. Any failure here (a cipher error, a closed
 * socket) aborts the connection; nothing is thrown out of the socket's event listeners, where an
 * exception would end the process.
 */
export class PskConnection extends AbstractMultiaddrConnection {
  private readonly maConn: MultiaddrConnection
  private readonly inbound: XSalsa20Stream
  private readonly outbound: XSalsa20Stream

  constructor (init: PskConnectionInit) {
    super({ log: init.log, remoteAddr: init.maConn.remoteAddr, direction: init.maConn.direction })
    this.maConn = init.maConn
    this.inbound = new XSalsa20Stream(init.psk, init.remoteNonce, init.startBlock)
    this.outbound = new XSalsa20Stream(init.psk, init.localNonce, init.startBlock)

    this.maConn.addEventListener('message', (evt) => {
      if (this.status !== 'open') return
      let plain: Uint8Array
      try {
        plain = this.inbound.process(evt.data)
      } catch (err) {
        this.fail(err)
        return
      }
      this.onData(plain)
    })
    this.maConn.addEventListener('drain', () => {
      this.onMuxerDrain()
    })
    this.maConn.addEventListener('close', (evt) => {
      if (evt.error != null) {
        if (evt.local) this.abort(evt.error)
        else this.onRemoteReset()
      } else {
        this.onTransportClosed()
      }
    })
  }

  sendData (data: Uint8ArrayList): SendResult {
    try {
      return { sentBytes: data.byteLength, canSendMore: this.maConn.send(this.outbound.process(data)) }
    } catch (err) {
      // Reported as sent: the connection is gone, and the caller must not get an exception.
      this.fail(err)
      return { sentBytes: data.byteLength, canSendMore: false }
    }
  }

  async sendClose (options?: AbortOptions): Promise<void> {
    await this.maConn.close(options)
  }

  sendReset (err: Error): void {
    this.maConn.abort(err)
  }

  sendPause (): void {
    this.guard(() => { this.maConn.pause() })
  }

  sendResume (): void {
    this.guard(() => { this.maConn.resume() })
  }

  private guard (fn: () => void): void {
    try {
      fn()
    } catch (err) {
      this.fail(err)
    }
  }

  private fail (err: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err))
    this.log.error('private network connection failed - %e', error)
    this.abort(error)
  }
}
