import {
  newRecord, pinInfoShortOf, Timestamp, type CID, type GlobalPinInfo, type Pin, type PinInfo, type PinInfoShort,
  type TrackerStatus
} from '@cluster/api'

/** What is known of a peer without asking it: its last ping (peername, IPFS identity). */
export interface PeerCard { peername: string, ipfsPeerId?: string, ipfsAddresses: string[] }

export function emptyGlobal (cid: CID): GlobalPinInfo {
  return { cid, name: '', allocations: [], origins: null, created: Timestamp.ZERO, metadata: null, peerMap: newRecord<PinInfoShort>() }
}

/**
 * Go's GlobalPinInfo.Add (cluster-behaviour.md §2.3). Without `pinFields` only the peer's entry is
 * added (an info whose pin fields are blanks: a lean status item's).
 */
export function addInfo (global: GlobalPinInfo, info: PinInfo, pinFields = true): void {
  if (global.peerMap === null) global.peerMap = newRecord<PinInfoShort>()
  if (pinFields && (Object.keys(global.peerMap).length === 0 || info.status !== 'cluster_error')) {
    global.cid = info.cid
    global.name = info.name
    global.allocations = info.allocations
    global.origins = info.origins
    global.created = info.created
    global.metadata = info.metadata
  }
  global.peerMap[info.peer] = pinInfoShortOf(info)
}

/** An entry's pin fields from the pin in the state. */
export function setPinFields (global: GlobalPinInfo, pin: Pin): void {
  global.name = pin.name
  global.allocations = pin.allocations
  global.origins = pin.origins
  global.created = pin.timestamp
  global.metadata = pin.metadata
}

/** A status entry made up for a peer (unpinned, remote, or cluster_error when it did not answer). */
export function syntheticInfo (cid: CID, peer: string, card: PeerCard, status: TrackerStatus, now: Timestamp, pin?: Pin, error = ''): PinInfo {
  return {
    cid,
    name: pin?.name ?? '',
    peer: peer as PinInfo['peer'],
    allocations: pin?.allocations ?? [],
    origins: pin?.origins ?? null,
    created: pin?.timestamp ?? now,
    metadata: pin?.metadata ?? null,
    peername: card.peername,
    ipfsPeerId: card.ipfsPeerId as PinInfo['ipfsPeerId'],
    ipfsPeerAddresses: card.ipfsAddresses as PinInfo['ipfsPeerAddresses'],
    status,
    timestamp: now,
    error,
    attemptCount: 0,
    priorityPin: false
  }
}
