/**
 * The pinset on top of a replica, as Go IPFS Cluster's dsstate and CRDT consensus use go-ds-crdt:
 * key = stateKey(pin.cid), value = the Pin protobuf; undecodable values are skipped (Go logs
 * them). `pinsetHooks` turns the replica's hooks into tracker calls.
 */
import type { CID, Pin } from '@cluster/api'
import { cidFromStateKey, stateKey } from './keys.ts'
import { decodePinValue, encodePinValue } from './pin-value.ts'
import type { Replica, ReplicaOptions } from './replica.ts'

export class Pinset {
  private readonly replica: Replica
  private readonly onBadValue: (key: string, err: unknown) => void

  constructor (replica: Replica, onBadValue: (key: string, err: unknown) => void = () => {}) {
    this.replica = replica
    this.onBadValue = onBadValue
  }

  /** LogPin: encodes (which validates) and publishes the pin; resolves once merged and announced. */
  async add (pin: Pin): Promise<CID> {
    const value = encodePinValue(pin)
    // Go's put hook tracks the pin decoded from the value: it must decode.
    decodePinValue(value)
    return await this.replica.put(stateKey(pin.cid), value)
  }

  /** LogUnpin: undefined when the pin was not in the local state (nothing published, as Go). */
  async rm (cid: CID): Promise<CID | undefined> {
    return await this.replica.delete(stateKey(cid))
  }

  has (cid: CID): boolean {
    return this.replica.has(stateKey(cid))
  }

  get (cid: CID): Pin | undefined {
    const key = stateKey(cid)
    const value = this.replica.get(key)
    return value === undefined ? undefined : this.decode(key, value)
  }

  /** Every decodable pin, in state-key order, a page at a time. */
  * list (): Generator<Pin> {
    for (const [key, value] of this.replica.entries()) {
      const pin = this.decode(key, value)
      if (pin !== undefined) yield pin
    }
  }

  private decode (key: string, value: Uint8Array): Pin | undefined {
    try {
      return decodePinValue(value, { keyCid: cidFromStateKey(key) })
    } catch (err) {
      this.onBadValue(key, err)
      return undefined
    }
  }
}

export interface PinTrackerCalls {
  track: (pin: Pin) => void
  untrack: (cid: CID) => void
  /** An undecodable value (Go logs and skips it). */
  onBadValue?: (key: string, err: unknown) => void
}

/**
 * Replica hooks that drive a pin tracker. A put tracks the pin decoded from the value (as Go).
 * A delete untracks only when the key is really gone; if a concurrent add kept it, the current
 * pin is tracked again instead (Go untracks regardless and leaves the unpin to its recover pass).
 */
export function pinsetHooks (getReplica: () => Replica, calls: PinTrackerCalls): Pick<ReplicaOptions, 'onPut' | 'onDelete'> {
  const decode = (key: string, value: Uint8Array): Pin | undefined => {
    try {
      return decodePinValue(value, { keyCid: cidFromStateKey(key) })
    } catch (err) {
      calls.onBadValue?.(key, err)
      return undefined
    }
  }
  return {
    onPut: (key, value) => {
      const pin = decode(key, value)
      if (pin !== undefined) calls.track(pin)
    },
    onDelete: (key) => {
      const current = getReplica().get(key)
      const pin = current === undefined ? undefined : decode(key, current)
      if (pin !== undefined) calls.track(pin)
      else if (current === undefined) calls.untrack(cidFromStateKey(key))
    }
  }
}
