import {
  newRecord, pinInfoShortOf, Timestamp, type CID, type GlobalPinInfo, type Pin, type PinInfo, type PinInfoShort,
  type TrackerStatus
} from '@cluster/api'

/** What is known of a peer without asking it: its last ping (peername, IPFS identity). */
export interface PeerCard { peername: string, ipfsPeerId?: string, ipfsAddresses: string[] }

export function emptyGlobal (cid: CID): GlobalPinInfo {
  return { cid, name: '', allocations: [], origins: null, created: Timestamp.ZERO, metadata: null, peerMap: newRecord<PinInfoShort>() }
}

/** Go's GlobalPinInfo.Add (cluster-behaviour.md §2.3). */
export function addInfo (global: GlobalPinInfo, info: PinInfo): void {
  if (global.peerMap === null) global.peerMap = newRecord<PinInfoShort>()
  if (Object.keys(global.peerMap).length === 0 || info.status !== 'cluster_error') {
    global.cid = info.cid
    global.name = info.name
    global.allocations = info.allocations
    global.origins = info.origins
    global.created = info.created
    global.metadata = info.metadata
  }
  global.peerMap[info.peer] = pinInfoShortOf(info)
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
