/** Every wire type's encoder and decoder, by name (handy for generic code and tests). */
import type { JsonValue } from './json.ts'
import { decodePin, decodePinOptions, encodePin, encodePinOptions } from './types/pin.ts'
import {
  decodeGlobalPinInfo, decodePinInfo, decodePinInfoShort, encodeGlobalPinInfo, encodePinInfo, encodePinInfoShort
} from './types/pin-info.ts'
import { decodeId, decodeIpfsId, decodeVersion, encodeId, encodeIpfsId, encodeVersion } from './types/id.ts'
import { decodeAlert, decodeMetric, encodeAlert, encodeMetric } from './types/metric.ts'
import { decodeConnectGraph, encodeConnectGraph } from './types/graph.ts'
import { decodeAddedOutput, encodeAddedOutput } from './types/added-output.ts'
import {
  decodeGlobalRepoGc, decodeIpfsRepoGc, decodeRepoGc, encodeGlobalRepoGc, encodeIpfsRepoGc, encodeRepoGc
} from './types/repo-gc.ts'
import { decodeBandwidthByProtocol, encodeBandwidthByProtocol } from './types/bandwidth.ts'
import { decodeErrorBody, encodeErrorBody } from './types/error-body.ts'

export interface Codec<T> {
  encode: (value: T) => JsonValue
  decode: (value: unknown, path?: string) => T
}

function codec<T> (encode: (value: T) => JsonValue, decode: (value: unknown, path?: string) => T): Codec<T> {
  return { encode, decode }
}

export const codecs = {
  pin: codec(encodePin, decodePin),
  pinOptions: codec(encodePinOptions, decodePinOptions),
  globalPinInfo: codec(encodeGlobalPinInfo, decodeGlobalPinInfo),
  pinInfoShort: codec(encodePinInfoShort, decodePinInfoShort),
  pinInfo: codec(encodePinInfo, decodePinInfo),
  id: codec(encodeId, decodeId),
  ipfsId: codec(encodeIpfsId, decodeIpfsId),
  version: codec(encodeVersion, decodeVersion),
  metric: codec(encodeMetric, decodeMetric),
  alert: codec(encodeAlert, decodeAlert),
  connectGraph: codec(encodeConnectGraph, decodeConnectGraph),
  addedOutput: codec(encodeAddedOutput, decodeAddedOutput),
  globalRepoGc: codec(encodeGlobalRepoGc, decodeGlobalRepoGc),
  repoGc: codec(encodeRepoGc, decodeRepoGc),
  ipfsRepoGc: codec(encodeIpfsRepoGc, decodeIpfsRepoGc),
  bandwidthByProtocol: codec(encodeBandwidthByProtocol, decodeBandwidthByProtocol),
  errorBody: codec(encodeErrorBody, decodeErrorBody)
} as const

export type CodecName = keyof typeof codecs
