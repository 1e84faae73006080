/**
 * `daemon --tracing` / `observations.tracing.enable_tracing`: OpenTelemetry spans of REST
 * requests, peer RPC, commits, pin tracker operations and Kubo calls, exported over OTLP/HTTP
 * to `otlp_endpoint`. The SDK is loaded only here, when tracing is on.
 */
import { startTracing, type RunningTracing } from '@cluster/observability'
import type { LoadedConfigFolder } from '../config/index.ts'
import { VERSION } from '../cluster/index.ts'
import { CommandError } from './io.ts'

export async function startDaemonTracing (loaded: LoadedConfigFolder): Promise<RunningTracing> {
  const t = loaded.config.observations.tracing
  try {
    return await startTracing({
      serviceName: t.serviceName === '' ? 'cluster-daemon' : t.serviceName,
      samplingProb: t.samplingProb,
      otlpEndpoint: t.otlpEndpoint,
      attributes: {
        'service.version': VERSION,
        'service.instance.id': loaded.identity.id,
        'cluster.peername': loaded.config.cluster.peername
      }
    })
  } catch (err) {
    throw new CommandError(`Failed to start tracing: ${(err as Error).message}`)
  }
}
