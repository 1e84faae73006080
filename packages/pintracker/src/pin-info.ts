/** Building PinInfo objects from an operation, from a pin of the state, or from nothing. */
import { Timestamp } from '@cluster/api'
import type { CID, PinInfo, Pin, TrackerStatus } from '@cluster/api'
import type { Operation } from './operation.ts'
import type { IpfsIdentity, TrackerPeer } from './types.ts'

/** Peer facts shared by every PinInfo of one status call (the identity is read once). */
export interface InfoContext {
  peer: TrackerPeer
  identity: IpfsIdentity
}

export function infoContext (peer: TrackerPeer): InfoContext {
  return { peer, identity: peer.identity?.() ?? {} }
}

/** A PinInfo for `cid` with nothing known but the peer (status `undefined`). */
export function emptyInfo (ctx: InfoContext, cid: CID, timestamp: Timestamp): PinInfo {
  return {
    cid,
    name: '',
    peer: ctx.peer.peerId,
    allocations: null,
    origins: null,
    created: Timestamp.ZERO,
    metadata: null,
    peername: ctx.peer.peerName,
    ipfsPeerId: ctx.identity.ipfsPeerId,
    ipfsPeerAddresses: ctx.identity.ipfsPeerAddresses ?? [],
    status: 'undefined',
    timestamp,
    error: '',
    attemptCount: 0,
    priorityPin: false
  }
}

/** A PinInfo filled from a pin of the state; timestamp = the pin's timestamp. */
export function infoFromPin (ctx: InfoContext, pin: Pin, status: TrackerStatus, error = ''): PinInfo {
  const info = emptyInfo(ctx, pin.cid, pin.timestamp)
  info.name = pin.name
  info.allocations = pin.allocations
  info.origins = pin.origins
  info.created = pin.timestamp
  info.metadata = pin.metadata
  info.status = status
  info.error = error
  return info
}

/** A PinInfo describing an operation: its status, phase timestamp, attempts, priority, error. */
export function infoFromOperation (ctx: InfoContext, op: Operation): PinInfo {
  const info = infoFromPin(ctx, op.pin, op.status, op.error)
  info.timestamp = op.timestamp
  info.attemptCount = op.attempts
  info.priorityPin = op.priority
  return info
}
