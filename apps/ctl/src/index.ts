/**
 * @cluster/ctl — `ipfs-cluster-ctl` in TypeScript: the command-line client of the IPFS Cluster
 * REST API, with the output, errors and exit codes of Go ipfs-cluster-ctl v1.1.6.
 */
export { main } from './main.ts'
export { processIo } from './io.ts'
export type { CtlIo } from './io.ts'
export * from './errors.ts'
export { ApiCallError } from './api-call.ts'
export {
  formatAddedOutput, formatAlert, formatApiError, formatBandwidth, formatGlobalPinInfo, formatGlobalRepoGc, formatId,
  formatMetric, formatMetricNames, formatPin, formatVersion
} from './format-text.ts'
export { indentJson, jsonText } from './format-json.ts'
export { makeDot } from './graph.ts'
export { humanBytes, relativeTime } from './humanize.ts'
export { statusReached } from './wait.ts'
