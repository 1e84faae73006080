export { KuboDaemon, type KuboOptions } from './kubo.ts'
export { ipfsBinary } from './binary.ts'
export { KuboStartError, KuboNotInstalledError, KuboRpcError } from './errors.ts'
export { loopbackNode } from './libp2p.ts'
