// The argument of PinTracker.StatusWithin, as a peer decodes what another peer sent.
import { describe, expect, it } from 'vitest'
import { syntheticCid } from '@cluster/test-utils'
import { Rpc, STATUS_WITHIN_MAX } from '../src/cluster/rpc-methods.ts'

const { decode, encode } = Rpc.trackerStatusWithin.arg

describe('PinTracker.StatusWithin argument', () => {
  it('round-trips a filter and CIDs, keeping their order', () => {
    const cids = [syntheticCid(2), syntheticCid(1)].map(c => c.toString())
    expect(decode(JSON.parse(JSON.stringify(encode({ filter: 4, cids }))))).toEqual({ filter: 4, cids })
  })

  it('refuses what a peer should not send: garbage CIDs, non-strings, too many, a bad filter', () => {
    expect(() => decode({ filter: 0, cids: ['not-a-cid'] })).toThrow()
    expect(() => decode({ filter: 0, cids: [42] })).toThrow(/a CID must be a string/)
    expect(() => decode({ filter: 0, cids: Array.from({ length: STATUS_WITHIN_MAX + 1 }, () => syntheticCid(1).toString()) })).toThrow(/at most/)
    expect(() => decode({ filter: 0.5, cids: [] })).toThrow(/filter/)
    expect(() => decode(null)).toThrow(/StatusWithin takes/)
  })
})
