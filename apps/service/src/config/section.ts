/**
 * The shape every component section of `service.json` follows (one file per section under
 * `sections/`): defaults, overlaying a JSON object on a base, validation with Go's reasons, the
 * JSON form in Go's key order, and its environment variables.
 */
import type { JsonObject } from '@cluster/api'
import type { EnvField } from './env.ts'
import type { ConfigWarning, JsonReader } from './json-reader.ts'

export interface SectionCodec<T> {
  /** Component key (`raft`, `restapi`…), also the prefix of validation messages. */
  readonly key: string
  /** Environment prefix (`CLUSTER_RAFT`). */
  readonly envPrefix: string
  /** Keys the JSON object may hold (others are reported as unknown). */
  readonly known: readonly string[]
  readonly envFields: readonly EnvField[]
  /** The values `init` writes. */
  defaults (): T
  /**
   * Overlays the JSON object read by `r` on `base` with the component's per-key rules
   * (config.md §3.2). Parse problems throw ConfigParseError; does not validate.
   */
  apply (base: T, r: JsonReader, warnings: ConfigWarning[]): T
  /** Go's Validate(): the reason of the first problem, or undefined when valid. */
  validate (cfg: T): string | undefined
  /** The JSON form, keys in Go's order, omitted keys left out. */
  toJson (cfg: T): JsonObject
}
