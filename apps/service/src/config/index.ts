/**
 * The configuration layer of `ipfs-cluster-service` (config.md): the configuration folder,
 * `identity.json`, `service.json` (Raft flavour), environment overrides, `init` and the
 * peerstore file.
 */
export {
  ConfigError, ConfigParseError, ConfigValidationError, ConfigEnvError, ConfigSourceError, ConfigSourceUnavailableError,
  ConsensusChoiceError, IdentityError, SecretError, PeerstoreError
} from './errors.ts'
export { parseGoBool, parseGoInteger } from './env.ts'
export { formatGoJson, indentJson } from './json-writer.ts'
export { decodeSecret, secretBytes, swarmKeyFromSecret } from './secret.ts'
export {
  generateIdentity, identityFromJson, identityToJson, formatIdentity, parseIdentity,
  applyIdentityEnv, readIdentityFile, writeIdentityFile
} from './identity.ts'
export { resolveConfigFolder, configPaths, LOCK_FILE } from './folder.ts'
export { peerstorePath, readPeerstoreFile, writePeerstoreFile } from './peerstore.ts'
export { pathExists, syncFolder } from './replace-file.ts'
export { randomizePorts } from './random-ports.ts'
export {
  defaultServiceConfig, parseServiceConfig, applyServiceConfigEnv, serviceConfigToJson,
  formatServiceConfig, formatSourceConfig, formatServiceConfigForDisplay, consensusOf,
  enabledInformers
} from './service-config.ts'
export { initConfigFolder, parsePeersOption } from './init.ts'
export { loadConfigFolder, loadIdentity } from './load.ts'
export { readServiceConfigFile, writeServiceConfigFile } from './service-file.ts'
export { partitionListenAddrs } from './listen-addrs.ts'
export type { LoadedConfigFolder } from './load.ts'
export type { ServiceConfig } from './service-config.ts'
export { DEFAULT_LISTEN_MULTIADDRESS } from './sections/cluster.ts'
export { raftDataFolder } from './sections/raft.ts'
export { crdtDataFolder } from './sections/crdt.ts'
export type { MetricsSection } from './sections/observations.ts'
export { serverConfigOf } from './sections/http-api.ts'
