import { describe, expect, it } from 'vitest'
import { connectionsCheckingIntervalOf } from '../src/index.ts'

describe('connectionsCheckingIntervalOf', () => {
  it('is a fifth of the shortest timeout, between 100 ms and 1 s', () => {
    expect(connectionsCheckingIntervalOf(5_000, 0)).toBe(1_000)
    expect(connectionsCheckingIntervalOf(1_000, 0)).toBe(200)
    expect(connectionsCheckingIntervalOf(2_000, 600)).toBe(120)
    expect(connectionsCheckingIntervalOf(100, 0)).toBe(100)
    expect(connectionsCheckingIntervalOf(0, 0)).toBe(1_000)
  })
})
