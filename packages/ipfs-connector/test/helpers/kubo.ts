import { KuboDaemon, type KuboOptions } from '@cluster/test-utils'

/** A real Kubo for the integration tests (its repository is on tmpfs when the machine has one). */
export async function startKubo (options: KuboOptions = {}): Promise<KuboDaemon> {
  return await KuboDaemon.start(options)
}
