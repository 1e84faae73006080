/**
 * A metric on the `monitor.metrics` topic in Go's wire form (consensus-crdt.md §7): Go's
 * `api.Metric` through ugorji msgpack, written byte for byte as Go writes it (@cluster/gorpc's
 * `goTypes.metric`). Go also reads, and some old peers still send, the pre-v0.13.3 multicodec
 * header `09 "/msgpack\n"` in front.
 */
import type { Metric } from '@cluster/api'
import { decodeGo, encodeGoValue, goTypes } from '@cluster/gorpc'

/** The multicodec header of pre-v0.13.3 Go peers, still accepted by Go's decoder. */
const MULTICODEC_PREFIX = new Uint8Array([9, ...new TextEncoder().encode('/msgpack\n')])

/** Go's bytes for a metric. */
export function encodeMetricMsgpack (m: Metric): Uint8Array {
  return encodeGoValue(goTypes.metric, m)
}

/** Whether the bytes carry the old multicodec header. */
function hasMulticodecPrefix (bytes: Uint8Array): boolean {
  if (bytes.length < MULTICODEC_PREFIX.length) return false
  return MULTICODEC_PREFIX.every((b, i) => bytes[i] === b)
}

/**
 * Reads a metric as Go's decoder does: unknown keys ignored, absent keys zero, strings from str
 * or bin, integers of any width (and floats without a fraction), nil as zero.
 */
export function decodeMetricMsgpack (bytes: Uint8Array): Metric {
  const body = hasMulticodecPrefix(bytes) ? bytes.subarray(MULTICODEC_PREFIX.length) : bytes
  return goTypes.metric.read(decodeGo(body))
}
