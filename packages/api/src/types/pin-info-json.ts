/**
 * The JSON text of a GlobalPinInfo written directly: what `stringifyJson(encodeGlobalPinInfo(g))`
 * writes, byte for byte. A status listing writes one per pin; building the JSON tree first and
 * walking it with the generic writer cost about three times as much.
 */
import { cidToString } from '../cid.ts'
import { formatNumber, quoteJsonString } from '../json.ts'
import { compareUtf8 } from '../utf8.ts'
import type { GlobalPinInfo, PinInfoShort } from './pin-info.ts'

export function globalPinInfoJson (g: GlobalPinInfo): string {
  let out = `{"cid":${quoteJsonString(cidToString(g.cid))},"name":${quoteJsonString(g.name)},"allocations":${stringsOrNull(g.allocations)},"origins":${stringsOrNull(g.origins)},"created":${quoteJsonString(g.created.toJSON())},"metadata":${stringMapOrNull(g.metadata)},"peer_map":`
  const peerMap = g.peerMap
  if (peerMap === null) return out + 'null}'
  out += '{'
  const peers = Object.keys(peerMap)
  if (peers.length > 1) peers.sort(compareUtf8)
  for (let i = 0; i < peers.length; i++) {
    const peer = peers[i] as string
    out += `${i === 0 ? '' : ','}${quoteJsonString(peer)}:${pinInfoShortJson(peerMap[peer] as PinInfoShort)}`
  }
  return out + '}}'
}

function pinInfoShortJson (p: PinInfoShort): string {
  let out = `{"peername":${quoteJsonString(p.peername)}`
  if (p.ipfsPeerId !== undefined) out += `,"ipfs_peer_id":${quoteJsonString(p.ipfsPeerId)}`
  if (p.ipfsPeerAddresses.length > 0) out += `,"ipfs_peer_addresses":${stringsOrNull(p.ipfsPeerAddresses)}`
  return out + `,"status":${quoteJsonString(p.status)},"timestamp":${quoteJsonString(p.timestamp.toJSON())},"error":${quoteJsonString(p.error)},"attempt_count":${formatNumber(p.attemptCount)},"priority_pin":${p.priorityPin ? 'true' : 'false'}}`
}

function stringsOrNull (items: readonly string[] | null): string {
  if (items === null) return 'null'
  let out = '['
  for (let i = 0; i < items.length; i++) out += (i === 0 ? '' : ',') + quoteJsonString(items[i] as string)
  return out + ']'
}

function stringMapOrNull (m: Record<string, string> | null): string {
  if (m === null) return 'null'
  const keys = Object.keys(m)
  if (keys.length > 1) keys.sort(compareUtf8)
  let out = '{'
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string
    out += `${i === 0 ? '' : ','}${quoteJsonString(k)}:${quoteJsonString(m[k] as string)}`
  }
  return out + '}'
}
