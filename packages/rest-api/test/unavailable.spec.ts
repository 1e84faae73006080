import { describe, expect, it } from 'vitest'
import { C1 } from '@cluster/test-utils'
import { makeApp } from './helpers.ts'

/** What the consensus throws when no leader can take a write (its httpStatus/retryAfterSeconds contract). */
class NoLeader extends Error {
  readonly httpStatus = 503
  readonly retryAfterSeconds = 5
  constructor () { super('leader unknown or not existing yet') }
}

describe('a cluster that cannot take writes', () => {
  it('answers 503 with Retry-After and Go\'s error text, not a 500', async () => {
    const { app, fake } = makeApp()
    fake.pin = async () => { throw new NoLeader() }
    fake.unpin = async () => { throw new NoLeader() }
    for (const [method, path] of [['POST', `/pins/${C1}`], ['DELETE', `/pins/${C1}`]] as const) {
      const res = await app.request(path, { method })
      expect(res.status, `${method} ${path}`).toBe(503)
      expect(res.headers.get('retry-after')).toBe('5')
      expect(await res.text()).toBe('{"code":503,"message":"leader unknown or not existing yet"}\n')
    }
  })

  it('other failures of the cluster stay server errors', async () => {
    const { app, fake } = makeApp()
    fake.pin = async () => { throw new Error('something else broke') }
    const res = await app.request(`/pins/${C1}`, { method: 'POST' })
    expect(res.status).toBe(500)
    expect(res.headers.get('retry-after')).toBeNull()
  })
})
