import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { createLibp2p, type Libp2p, type Libp2pOptions } from 'libp2p'

/**
 * A libp2p node listening on a random loopback TCP port with Noise and Yamux — what peer-to-peer
 * tests need. `services` adds gossipsub, identify, etc.
 */
export async function loopbackNode<S extends Record<string, unknown> = Record<string, unknown>> (services?: Libp2pOptions<S>['services']): Promise<Libp2p<S>> {
  return await createLibp2p<S>({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    ...(services === undefined ? {} : { services })
  })
}
