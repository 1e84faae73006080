import type { Logger, PeerId } from '@cluster/api'
import type { CID } from 'multiformats/cid'
import { multihashKey, toCid, type CidLike } from './cid.ts'
import { KuboClient } from './client.ts'
import type { Clock, TimerHandle } from '@cluster/api'
import { defaultIpfsHttpConfig, validateIpfsHttpConfig, type IpfsHttpConfig } from './config.ts'
import { BlockPutError, ConfigKeyError, IpfsConnectorError, UnpinDisabledError, messageOf } from './errors.ts'
import { InformerTrigger } from './informer-trigger.ts'
import { LocalPinBatch } from './local-pin-batch.ts'
import { isNotPinnedOrIndirectError, pinsLikeKubo } from './pins.ts'
import { connectSwarms } from './swarm.ts'
import { inSpan, tracingEnabled } from '@cluster/observability/trace'
import type { BlockInput, IpfsIdResult, IpfsPinStatus, PinCallOptions, PinLsEntry, PinLsType, PinRequest, RepoGcEntry, RepoGcResult, RepoStat } from './types.ts'

export interface IpfsConnectorOptions {
  config?: Partial<IpfsHttpConfig>
  clock?: Clock
  logger?: Logger
  /** Called every `informer_trigger_interval` pin/block-put/gc events: broadcast metrics now. */
  onInformerTrigger?: () => void
}

const MAX_ORIGINS = 10
const READY_RETRY_MS = 1000
/** How long a probe of a Kubo that stopped answering may take (a hung Kubo must not stall it). */
const PROBE_TIMEOUT_MS = 5000

/**
 * The cluster's IPFS connector (ipfs-connector.md §3): pin/unpin with Kubo's quirks handled,
 * status queries, swarm connections, repo stat/GC, block streaming, informer triggers.
 */
export class IpfsConnector {
  readonly config: IpfsHttpConfig
  readonly client: KuboClient
  private readonly logger: Logger
  private readonly clock: Clock
  private readonly informer: InformerTrigger
  private pinsCounter = 0
  /** Whether the last pin/add was answered by Kubo itself (not an IPFS Cluster proxy): {@link pinsLikeKubo}. */
  private pinAddIsKubo = false
  private lastListed = 0
  private readonly localPins: LocalPinBatch
  private readyFlag = false
  /**
   * Go's ipfshttp metrics, counted where Go records them (pins/ipfs_pins, pins/pin_add,
   * pins/pin_add_errors, blocks/put, blocks/added, blocks/added_size, blocks/put_errors).
   */
  readonly counters = { ipfsPins: 0, pinAdd: 0, pinAddErrors: 0, blocksPut: 0, blocksAdded: 0, blocksAddedSize: 0, blocksPutErrors: 0 }

  constructor (options: IpfsConnectorOptions = {}) {
    this.config = { ...defaultIpfsHttpConfig(), ...options.config }
    validateIpfsHttpConfig(this.config)
    this.client = new KuboClient({ address: this.config.nodeMultiaddress, clock: options.clock, logger: options.logger })
    this.logger = this.client.http.logger
    this.clock = this.client.http.clock
    this.informer = new InformerTrigger(() => this.config.informerTriggerInterval, options.onInformerTrigger, this.logger)
    this.localPins = new LocalPinBatch(async (cids) => {
      this.counters.pinAdd++
      return await this.client.pinAddLocal(cids, { stallTimeoutMs: this.config.pinTimeoutMs, onHeaders: (headers) => { this.pinAddIsKubo = pinsLikeKubo(headers) } })
    }, this.logger)
  }

  /** True once `id` has answered once. */
  get ready (): boolean {
    return this.readyFlag
  }

  /**
   * Pins added (+1) and removed (−1) through this connector since start (metrics only; a pin
   * that skipped the pin/ls check counts even when Kubo already had it).
   */
  get pinsAdded (): number {
    return this.pinsCounter
  }

  /** Number of pins seen by the last complete {@link pinLs}. */
  get lastPinCount (): number {
    return this.lastListed
  }

  /** Close idle connections. */
  shutdown (): void {
    this.client.destroy()
  }

  /**
   * Poll `id` every second until Kubo answers (warning every 10 failures), then, if
   * `connect_swarms_delay` > 0 and `peerAddresses` is given, wait that long and ConnectSwarms.
   */
  async waitForIpfs (options: { signal?: AbortSignal, peerAddresses?: () => AsyncIterable<string> | Iterable<string> } = {}): Promise<void> {
    let failures = 0
    while (true) {
      options.signal?.throwIfAborted()
      try {
        await this.ipfsId({ signal: options.signal })
        break
      } catch (err) {
        options.signal?.throwIfAborted()
        failures++
        if (failures % 10 === 0) this.logger('warn', `ipfs does not seem to be available after ${failures} retries: ${messageOf(err)}`)
        await this.sleep(READY_RETRY_MS, options.signal)
      }
    }
    this.readyFlag = true
    this.logger('info', 'IPFS is ready')
    if (this.config.connectSwarmsDelayMs > 0 && options.peerAddresses !== undefined) {
      await this.sleep(this.config.connectSwarmsDelayMs, options.signal)
      await this.connectSwarms(options.peerAddresses(), { signal: options.signal })
    }
  }

  /** True while Kubo is not answering: the last request got no HTTP reply (refused, reset, timed out). */
  get ipfsDown (): boolean {
    return this.client.http.health.down
  }

  /**
   * Calls `onBack` each time Kubo answers again after it stopped answering (killed and
   * restarted, or hung past a request deadline). While it does not answer, `id` is asked every
   * `probeMs` (1 s), as the readiness check does, so its return is seen within about that long
   * even when nothing else calls Kubo. Returns the stop function.
   */
  onIpfsBack (onBack: () => void, options: { probeMs?: number } = {}): () => void {
    const health = this.client.http.health
    const probeMs = options.probeMs ?? READY_RETRY_MS
    let timer: TimerHandle | undefined
    let probing = false
    let stopped = false
    const schedule = (): void => {
      if (stopped || probing || timer !== undefined || !health.down) return
      timer = this.clock.setTimeout(() => {
        timer = undefined
        if (stopped || !health.down) return
        probing = true
        this.client.id({ timeoutMs: Math.max(probeMs, PROBE_TIMEOUT_MS) }).catch(() => {}).finally(() => {
          probing = false
          schedule()
        })
      }, probeMs)
    }
    const unsubscribe = health.onChange(up => {
      if (!up) {
        schedule()
        return
      }
      this.logger('info', 'IPFS is answering again')
      onBack()
    })
    schedule()
    return () => {
      stopped = true
      unsubscribe()
      if (timer !== undefined) this.clock.clearTimeout(timer)
    }
  }

  /** Kubo's peer ID and addresses (`ipfs_request_timeout`). */
  ipfsId (options: { signal?: AbortSignal } = {}): Promise<IpfsIdResult> {
    return this.client.id({ timeoutMs: this.config.ipfsRequestTimeoutMs, signal: options.signal })
  }

  /** Pin as §3.2: skip when already pinned as wanted, `pin/update` when possible, else `pin/add`. */
  async pin (pin: PinRequest, options: PinCallOptions = {}): Promise<void> {
    if (!tracingEnabled()) return await this.pinNow(pin, options)
    await inSpan('ipfs.pin', { kind: 'client', attributes: { 'cluster.cid': toCid(pin.cid).toString(), 'cluster.ipfs.max_depth': pin.maxDepth ?? -1 } }, async () => {
      await this.pinNow(pin, options)
    })
  }

  private async pinNow (pin: PinRequest, options: PinCallOptions): Promise<void> {
    const cid = toCid(pin.cid)
    const maxDepth = pin.maxDepth ?? -1
    const wanted: IpfsPinStatus = maxDepth === 0 ? 'direct' : 'recursive'
    // Go asks pin/ls first. Kubo's own pin/add of a CID pinned that way already does nothing, so
    // once Kubo has shown it answers pin/add itself, a plain recursive pin skips that round trip
    // (about a quarter of a peer's CPU per pin was its Kubo calls); a pin update still asks.
    const skipCheck = this.pinAddIsKubo && maxDepth === -1 && pin.pinUpdate === undefined
    // Recursive pins started in the same turn go to Kubo in one call when it holds their blocks.
    if (skipCheck && (pin.origins ?? []).length === 0 && await this.localPins.tryPin(cid, options.signal)) {
      // Two events per pin, as on the path below (before and after the call).
      this.informer.event()
      this.informer.event()
      this.pinsCounter++
      this.counters.ipfsPins++
      return
    }
    const current = skipCheck ? 'unpinned' : await this.pinLsCid(cid, maxDepth, options)
    if (current === wanted) {
      this.logger('debug', `IPFS object ${cid.toString()} is already pinned (${wanted})`)
      return
    }
    this.informer.event()
    const stopConnectingOrigins = this.connectOrigins(pin.origins ?? [], options.signal)
    try {
      if (pin.pinUpdate !== undefined) {
        const from = toCid(pin.pinUpdate)
        const fromStatus = await this.pinLsCid(from, -1, options)
        if (fromStatus === 'recursive') {
          this.logger('debug', `updating pin ${from.toString()} to ${cid.toString()}`)
          await this.client.pinUpdate(from, cid, { unpin: false, signal: options.signal })
          this.pinsCounter++
          this.counters.ipfsPins++
          return
        }
      }
      this.counters.pinAdd++
      await this.client.pinAdd(cid, {
        maxDepth,
        stallTimeoutMs: this.config.pinTimeoutMs,
        onProgress: options.onProgress,
        onHeaders: (headers) => { this.pinAddIsKubo = pinsLikeKubo(headers) },
        signal: options.signal
      }).catch((err: unknown) => {
        this.counters.pinAddErrors++
        throw err
      })
      this.pinsCounter++
      this.counters.ipfsPins++
    } finally {
      stopConnectingOrigins()
      this.informer.event()
    }
  }

  /** Unpin as §3.4: "not pinned or pinned indirectly" counts as success. */
  async unpin (cid: CidLike, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (!tracingEnabled()) return await this.unpinNow(cid, options)
    await inSpan('ipfs.unpin', { kind: 'client', attributes: { 'cluster.cid': toCid(cid).toString() } }, async () => {
      await this.unpinNow(cid, options)
    })
  }

  private async unpinNow (cid: CidLike, options: { signal?: AbortSignal }): Promise<void> {
    if (this.config.unpinDisable) throw new UnpinDisabledError()
    try {
      await this.client.pinRm(cid, { timeoutMs: this.config.unpinTimeoutMs, signal: options.signal })
      this.pinsCounter--
      this.counters.ipfsPins--
    } catch (err) {
      if (!isNotPinnedOrIndirectError(err)) throw err
      this.logger('debug', `IPFS object ${toCid(cid).toString()} is already unpinned`)
    }
  }

  /** Status of one CID for the depth wanted (direct when `maxDepth` = 0, else recursive). */
  async pinLsCid (cid: CidLike | undefined, maxDepth = -1, options: { signal?: AbortSignal } = {}): Promise<IpfsPinStatus> {
    if (cid === undefined || cid === '') throw new IpfsConnectorError('calling PinLsCid without a defined CID')
    return await this.client.pinLsCid(cid, maxDepth === 0 ? 'direct' : 'recursive', {
      timeoutMs: this.config.ipfsRequestTimeoutMs, signal: options.signal
    })
  }

  /** Every pin of the given types (all of them, unlike Go), one deadline for the listing. */
  async * pinLs (types: readonly PinLsType[] = ['recursive', 'direct'], options: { signal?: AbortSignal } = {}): AsyncGenerator<PinLsEntry> {
    let n = 0
    for await (const entry of this.client.pinLs(types, { timeoutMs: this.config.ipfsRequestTimeoutMs, signal: options.signal })) {
      n++
      yield entry
    }
    this.lastListed = n
    this.counters.ipfsPins = n
  }

  /** ConnectSwarms (§3.7): see swarm.ts. */
  async connectSwarms (addresses: AsyncIterable<string> | Iterable<string>, options: { signal?: AbortSignal } = {}): Promise<{ attempted: number, connected: number }> {
    return await connectSwarms({ client: this.client, clock: this.clock, logger: this.logger, timeoutMs: this.config.ipfsRequestTimeoutMs }, addresses, options)
  }

  /** Peer IDs Kubo is connected to. */
  swarmPeers (options: { signal?: AbortSignal } = {}): Promise<PeerId[]> {
    return this.client.swarmPeers({ timeoutMs: this.config.ipfsRequestTimeoutMs, signal: options.signal })
  }

  repoStat (options: { signal?: AbortSignal } = {}): Promise<RepoStat> {
    return this.client.repoStat({ timeoutMs: this.config.ipfsRequestTimeoutMs, signal: options.signal })
  }

  /** Walk Kubo's configuration by a `/`-separated key, e.g. `Datastore/StorageMax`. */
  async configKey (key: string, options: { signal?: AbortSignal } = {}): Promise<unknown> {
    let node: unknown = await this.client.configShow({ timeoutMs: this.config.ipfsRequestTimeoutMs, signal: options.signal })
    for (const part of key.split('/')) {
      if (typeof node !== 'object' || node === null || Array.isArray(node)) throw new ConfigKeyError('invalid path')
      const obj = node as Record<string, unknown>
      if (!(part in obj)) throw new ConfigKeyError('key not found in configuration')
      node = obj[part]
    }
    return node
  }

  /** Run `repo/gc` (`repogc_timeout`); a cut-short run returns what it collected plus the error. */
  async repoGc (options: { signal?: AbortSignal } = {}): Promise<RepoGcResult> {
    const keys: RepoGcEntry[] = []
    try {
      for await (const entry of this.client.repoGc({ timeoutMs: this.config.repoGcTimeoutMs, signal: options.signal })) keys.push(entry)
      return { keys }
    } catch (err) {
      return { keys, error: messageOf(err) }
    } finally {
      this.informer.event()
    }
  }

  /** Path or CID → root CID (§2.11). */
  resolve (path: string, options: { signal?: AbortSignal } = {}): Promise<CID> {
    return this.client.resolve(path, { timeoutMs: this.config.ipfsRequestTimeoutMs, signal: options.signal })
  }

  blockGet (cid: CidLike, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    return this.client.blockGet(cid, { timeoutMs: this.config.ipfsRequestTimeoutMs, signal: options.signal })
  }

  /**
   * BlockStream: store blocks in Kubo in one streamed `block/put`. Acknowledgements are
   * matched to sent blocks by multihash (Kubo answers CIDv1); every block must be acknowledged.
   */
  async blockStream (blocks: AsyncIterable<BlockInput> | Iterable<BlockInput>, options: { signal?: AbortSignal } = {}): Promise<number> {
    const pending = new Set<string>()
    const counters = this.counters
    async function * track (): AsyncGenerator<BlockInput> {
      for await (const b of blocks) {
        pending.add(multihashKey(b.cid))
        counters.blocksAdded++
        counters.blocksAddedSize += b.bytes.byteLength
        yield b
      }
    }
    let acked = 0
    counters.blocksPut++
    try {
      for await (const ack of this.client.blockPut(track(), { signal: options.signal })) {
        if (pending.delete(multihashKey(ack.key))) acked++
        else this.logger('warn', `BlockStream: Kubo stored ${ack.key.toString()}, which matches no sent block`)
      }
      if (pending.size > 0) throw new BlockPutError(`BlockStream: ${pending.size} block(s) were not acknowledged by IPFS`)
      return acked
    } catch (err) {
      counters.blocksPutErrors++
      throw err
    } finally {
      this.informer.event()
    }
  }

  /**
   * Dials the pin's origins from Kubo in the background, until the returned function is called
   * (the pin ended) or `signal` aborts. Without origins nothing is made: aborting a controller
   * builds a DOMException, which every pin would pay for.
   */
  private connectOrigins (origins: readonly string[], signal: AbortSignal | undefined): () => void {
    if (origins.length === 0) return () => {}
    const controller = new AbortController()
    const onAbort = (): void => { controller.abort() }
    signal?.addEventListener('abort', onAbort, { once: true })
    for (const addr of origins.slice(0, MAX_ORIGINS)) {
      this.client.swarmConnect(addr, { signal: controller.signal }).catch((err: unknown) => {
        this.logger('debug', `connecting to pin origin ${addr}: ${messageOf(err)}`)
      })
    }
    return () => {
      controller.abort()
      signal?.removeEventListener('abort', onAbort)
    }
  }

  private async sleep (ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted()
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.clock.clearTimeout(timer)
        reject(signal?.reason)
      }
      const timer = this.clock.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }, ms)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }
}
