import type { Codec, JsonValue } from '@cluster/api'

/**
 * Who may call a method remotely (cluster-behaviour.md §14.1). Local calls are never checked.
 * open: anyone who can open a stream (knows the cluster secret); trusted: trusted peers (with
 * Raft, every peer); closed: nobody remote.
 */
export type Policy = 'open' | 'trusted' | 'closed'

export interface UnaryMethod<A, R> {
  readonly name: string
  readonly policy: Policy
  readonly arg: Codec<A>
  readonly result: Codec<R>
  readonly stream: false
}

export interface StreamMethod<A, R> {
  readonly name: string
  readonly policy: Policy
  readonly arg: Codec<A>
  readonly result: Codec<R>
  readonly stream: true
}

export type Method<A, R> = UnaryMethod<A, R> | StreamMethod<A, R>

/** Declares a request/response method, e.g. `unary('Cluster.ID', 'open', none, codecs.id)`. */
export function unary<A, R> (name: string, policy: Policy, arg: Codec<A>, result: Codec<R>): UnaryMethod<A, R> {
  return { name, policy, arg, result, stream: false }
}

/** Declares a method answering with a stream of values. */
export function streaming<A, R> (name: string, policy: Policy, arg: Codec<A>, result: Codec<R>): StreamMethod<A, R> {
  return { name, policy, arg, result, stream: true }
}

/** No argument / no result. */
export const none: Codec<undefined> = { encode: () => null, decode: () => undefined }

/** A string (peer IDs, CIDs as strings, names). */
export const text: Codec<string> = {
  encode: v => v,
  decode: v => {
    if (typeof v !== 'string') throw new TypeError('expected a string')
    return v
  }
}

/** Any JSON value, validated by `check` (use for small ad-hoc shapes). */
export function json<T extends JsonValue> (check: (v: unknown) => v is T): Codec<T> {
  return {
    encode: v => v,
    decode: v => {
      if (!check(v)) throw new TypeError('unexpected value shape')
      return v
    }
  }
}

/** A list of values of one codec. */
export function listOf<T> (item: Codec<T>): Codec<T[]> {
  return {
    encode: v => v.map(x => item.encode(x)),
    decode: (v, path = '') => {
      if (!Array.isArray(v)) throw new TypeError(`${path}: expected an array`)
      return v.map((x, i) => item.decode(x, `${path}[${i}]`))
    }
  }
}
