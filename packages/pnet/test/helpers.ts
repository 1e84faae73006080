import type { MessageStream } from '@libp2p/interface'

export const SECRET_A = '5f1a0c4e9b2d7e3f8a6c1b0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f'
export const SECRET_B = '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0'

/** The swarm.key text for a 64-hex-character secret. */
export function swarmKey (hex: string): Uint8Array {
  return new TextEncoder().encode(`/key/swarm/psk/1.0.0/\n/base16/\n${hex}`)
}

/** Deterministic pseudo-random bytes (an LCG), so failures are reproducible. */
export function bytes (n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n)
  let x = seed
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    out[i] = x >>> 24
  }
  return out
}

/** Resolves with the first `n` bytes the stream delivers. */
export async function receive (stream: MessageStream, n: number): Promise<Uint8Array> {
  return await new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = []
    let got = 0
    const onMessage = (evt: { data: Uint8Array | Iterable<Uint8Array> }): void => {
      for (const chunk of evt.data instanceof Uint8Array ? [evt.data] : evt.data) {
        chunks.push(chunk.slice())
        got += chunk.byteLength
      }
      if (got >= n) {
        stream.removeEventListener('message', onMessage)
        resolve(Buffer.concat(chunks).subarray(0, n))
      }
    }
    stream.addEventListener('message', onMessage)
    stream.addEventListener('close', (evt) => { reject(evt.error ?? new Error(`closed after ${got}/${n} bytes`)) })
  })
}

/** Sends `data` cut at `sizes` (cycled), waiting for drain when the stream asks. */
export async function sendChunked (stream: MessageStream, data: Uint8Array, sizes: number[]): Promise<void> {
  let at = 0
  for (let k = 0; at < data.byteLength; k++) {
    const size = Math.min(sizes[k % sizes.length]!, data.byteLength - at)
    if (!stream.send(data.subarray(at, at + size))) await stream.onDrain()
    at += size
  }
}
