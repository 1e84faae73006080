/**
 * Named errors of the configuration layer. Every error has a stable `name` and `code`; messages
 * reproduce Go IPFS Cluster's text where config.md gives it.
 */

/** Base class of every configuration error. */
export class ConfigError extends Error {
  override readonly name: string = 'ConfigError'
  readonly code: string = 'ERR_CONFIG'
}

/**
 * A file or value cannot be read: malformed JSON, a key holding the wrong JSON type, an
 * unparsable duration or multiaddress. The message names the key (`error parsing <key>: …`).
 */
export class ConfigParseError extends ConfigError {
  override readonly name = 'ConfigParseError'
  override readonly code = 'ERR_CONFIG_PARSE'
  /** Dotted path of the offending key (`cluster.connection_manager.high_water`), '' for the file. */
  readonly key: string

  constructor (key: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.key = key
  }
}

/** A component's values are read but do not validate: `<component key> failed to validate: <reason>`. */
export class ConfigValidationError extends ConfigError {
  override readonly name = 'ConfigValidationError'
  override readonly code = 'ERR_CONFIG_VALIDATION'
  /** Component key (`cluster`, `raft`, `restapi`…). */
  readonly component: string
  /** Go's reason, without the component prefix. */
  readonly reason: string

  constructor (component: string, reason: string, options?: ErrorOptions) {
    super(component === 'cluster'
      ? `cluster section failed to validate: ${reason}`
      : `${component} failed to validate: ${reason}`, options)
    this.component = component
    this.reason = reason
  }
}

/** An environment variable cannot be converted (Go envconfig's message). */
export class ConfigEnvError extends ConfigError {
  override readonly name = 'ConfigEnvError'
  override readonly code = 'ERR_CONFIG_ENV'
  /** The variable name (`CLUSTER_RAFT_COMMITRETRIES`). */
  readonly variable: string

  constructor (variable: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.variable = variable
  }
}

/** `service.json` has a `source` URL: the configuration must be fetched (config.md §3.4). */
export class ConfigSourceError extends ConfigError {
  override readonly name: string = 'ConfigSourceError'
  override readonly code: string = 'ERR_CONFIG_SOURCE'
  readonly url: string

  constructor (url: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.url = url
  }
}

/** The source did not answer, or answered 429 or 5xx: worth trying again, and the last copy may serve. */
export class ConfigSourceUnavailableError extends ConfigSourceError {
  override readonly name = 'ConfigSourceUnavailableError'
  override readonly code = 'ERR_CONFIG_SOURCE_UNAVAILABLE'
}

/** Neither or both consensus sections are present, or the one present is not implemented. */
export class ConsensusChoiceError extends ConfigError {
  override readonly name = 'ConsensusChoiceError'
  override readonly code = 'ERR_CONSENSUS_CHOICE'
}

/** `identity.json` is missing, malformed, or its ID does not match its key (config.md §2). */
export class IdentityError extends ConfigError {
  override readonly name = 'IdentityError'
  override readonly code = 'ERR_IDENTITY'
}

/** The cluster secret is not 32 bytes of hex (config.md §4.1). */
export class SecretError extends ConfigError {
  override readonly name = 'SecretError'
  override readonly code = 'ERR_SECRET'
}

/** A `--peers` address cannot be used or the peerstore file cannot be written (config.md §1.4). */
export class PeerstoreError extends ConfigError {
  override readonly name = 'PeerstoreError'
  override readonly code = 'ERR_PEERSTORE'
}

/** The message of anything thrown. */
export function messageOf (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/**
 * Runs a config function of the package that owns a section, turning its errors into the
 * loader's: `error parsing …` texts are parse errors (naming `key`), the others validation
 * failures of `component`.
 */
export function adaptPackageError<T> (component: string, key: string, fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    const msg = messageOf(err)
    if (msg.startsWith('error parsing')) throw new ConfigParseError(key, msg, { cause: err })
    throw new ConfigValidationError(component, msg, { cause: err })
  }
}

/** A package's throwing validation as a codec's `validate`: the error's message is the reason. */
export function reasonOf (validate: () => void): string | undefined {
  try {
    validate()
    return undefined
  } catch (err) {
    return messageOf(err)
  }
}
