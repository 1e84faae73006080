/**
 * A stored pin reads the same through the plain JSON parse as through the exact one (parseJson),
 * which it still takes for an integer past 2^53, and a damaged row fails as before.
 */
import { describe, expect, it } from 'vitest'
import { decodePin, parseJson } from '@cluster/api'
import { decodeStored } from '../src/snapshot-bytes.ts'

const ROW = '{"replication_factor_min":2,"replication_factor_max":3,"name":"n","mode":"recursive","shard_size":0,"user_allocations":null,"expire_at":"0001-01-01T00:00:00Z","metadata":{"k":"v"},"pin_update":null,"origins":null,"cid":"bafkreig6bm26z4gfprwdams273vb6strmhzg7yrfh6wdtvfqsa2x4zkylm","type":"pin","allocations":["12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR"],"max_depth":-1,"reference":null,"timestamp":"2026-12-06T02:43:58.536Z"}'

describe('decodeStored', () => {
  it('reads a row as the exact parse does', () => {
    expect(decodeStored(ROW)).toEqual(decodePin(parseJson(ROW)))
  })

  it('takes the exact parse for an integer past 2^53', () => {
    const big = ROW.replace('"shard_size":0', '"shard_size":18446744073709551615')
    expect(decodeStored(big)).toEqual(decodePin(parseJson(big)))
    const unsafeDepth = ROW.replace('"max_depth":-1', '"max_depth":9007199254740993')
    expect(decodeStored(unsafeDepth)).toEqual(decodePin(parseJson(unsafeDepth)))
  })

  it('fails on a damaged row with the exact parse\'s error', () => {
    const cut = ROW.slice(0, 100)
    expect(() => decodeStored(cut)).toThrow(/invalid JSON/)
    expect(() => decodeStored('null')).toThrow()
  })
})
