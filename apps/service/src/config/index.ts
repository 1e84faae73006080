/**
 * The configuration layer of `ipfs-cluster-service` (config.md): the configuration folder,
 * `identity.json`, `service.json` (Raft flavour), environment overrides, `init` and the
 * peerstore file.
 */
export {
  ConfigError, ConfigParseError, ConfigValidationError, ConfigEnvError, ConfigSourceError,
  ConsensusChoiceError, IdentityError, SecretError, PeerstoreError
} from './errors.ts'
export type { ConfigWarning } from './json-reader.ts'
export type { Env, EnvField, EnvKind } from './env.ts'
export { parseGoBool, parseGoInteger } from './env.ts'
export { formatGoJson, indentJson } from './json-writer.ts'
export { generateSecret, decodeSecret, secretBytes, swarmKeyFromSecret, SECRET_BYTES } from './secret.ts'
export {
  generateIdentity, identityFromJson, identityToJson, formatIdentity, parseIdentity, applyIdentityEnv,
  readIdentityFile, writeIdentityFile, decodePrivateKey, encodePrivateKey, peerIdOfKey
} from './identity.ts'
export type { Identity, IdentityJson } from './identity.ts'
export {
  resolveConfigFolder, configPaths, ensureConfigFolder,
  DEFAULT_CONFIG_FOLDER_NAME, SERVICE_FILE, IDENTITY_FILE, LOCK_FILE
} from './folder.ts'
export type { ConfigPaths, ResolveConfigFolderOptions } from './folder.ts'
export { peerstorePath, readPeerstoreFile, writePeerstoreFile } from './peerstore.ts'
export type { ReadPeerstoreOptions } from './peerstore.ts'
export { randomizePorts } from './random-ports.ts'
export {
  defaultServiceConfig, parseServiceConfig, applyServiceConfigEnv, validateServiceConfig,
  serviceConfigToJson, formatServiceConfig, formatSourceConfig, formatServiceConfigForDisplay,
  cloneServiceConfig, consensusOf, enabledInformers, sourceOf
} from './service-config.ts'
export type {
  ServiceConfig, ComponentKey, LoadedServiceConfig, ParseServiceConfigOptions, DefaultServiceConfigOptions
} from './service-config.ts'
export { initConfigFolder, parsePeersOption } from './init.ts'
export type { InitOptions, InitResult } from './init.ts'
export { loadConfigFolder, loadIdentity } from './load.ts'
export { readServiceConfigFile, writeServiceConfigFile } from './service-file.ts'
export { isTcpListenAddr, partitionListenAddrs } from './listen-addrs.ts'
export type { LoadedConfigFolder, LoadConfigFolderOptions, LoadIdentityResult } from './load.ts'
export { baseClusterSection, DEFAULT_LISTEN_MULTIADDRESS, DEFAULT_PEERSTORE_FILE } from './sections/cluster.ts'
export type { ClusterSection, ConnectionManagerConfig, ResourceManagerConfig, PubSubConfig } from './sections/cluster.ts'
export { raftDataFolder, toRaftConsensusConfig, DEFAULT_RAFT_DATA_SUBFOLDER } from './sections/raft.ts'
export type { RaftSection } from './sections/raft.ts'
export { crdtDataFolder, toCrdtConsensusConfig, DEFAULT_CRDT_DATA_SUBFOLDER } from './sections/crdt.ts'
export type { CrdtSection } from './sections/crdt.ts'
export type { HttpApiSection } from './sections/http-api.ts'
export type { IpfsProxySection } from './sections/ipfsproxy.ts'
export type { IpfsHttpConfig } from './sections/ipfshttp.ts'
export type { StatelessSection } from './sections/stateless.ts'
export type { PubsubmonSection } from './sections/pubsubmon.ts'
export { DEFAULT_ALLOCATE_BY, LEGACY_ALLOCATE_BY } from './sections/balanced.ts'
export type { BalancedSection } from './sections/balanced.ts'
export type { DiskInformerConfig, TagsInformerConfig, PinQueueInformerSection } from './sections/informers.ts'
export type { MetricsSection, TracingSection } from './sections/observations.ts'
export { serverConfigOf } from './sections/http-api.ts'
