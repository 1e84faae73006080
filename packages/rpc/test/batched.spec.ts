import { describe, expect, it } from 'vitest'
import { batched } from '../src/index.ts'

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

async function collect<T> (it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const v of it) out.push(v)
  return out
}

describe('batched', () => {
  it('groups a fast stream by maxItems, in order, the rest in a last group', async () => {
    async function * items (): AsyncGenerator<number> { for (let i = 0; i < 10; i++) yield i }
    expect(await collect(batched(items(), { maxItems: 4 }))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
  })

  it('sends what it has when the producer pauses longer than maxWaitMs', async () => {
    async function * items (): AsyncGenerator<number> {
      yield 1
      yield 2
      await sleep(100)
      yield 3
    }
    const started = Date.now()
    const groups: Array<[number[], number]> = []
    for await (const g of batched(items(), { maxItems: 10, maxWaitMs: 10 })) groups.push([g, Date.now() - started])
    expect(groups.map(([g]) => g)).toEqual([[1, 2], [3]])
    // The first group did not wait for the slow item.
    expect(groups[0]![1]).toBeLessThan(90)
  })

  it('a trickling producer still gets its groups out: a group leaves maxWaitMs after its first item', async () => {
    // An item every 5 ms, each sooner than maxWaitMs after the one before: a wait measured from
    // the last item would hold all 40 in one group until the end.
    async function * items (): AsyncGenerator<number> {
      for (let i = 0; i < 40; i++) {
        await sleep(5)
        yield i
      }
    }
    const groups = await collect(batched(items(), { maxItems: 1000, maxWaitMs: 20 }))
    expect(groups.length).toBeGreaterThan(1)
    expect(groups.flat()).toEqual(Array.from({ length: 40 }, (_, i) => i))
  })

  it('an empty stream gives no group; a failing one fails the consumer', async () => {
    async function * none (): AsyncGenerator<number> {}
    expect(await collect(batched(none()))).toEqual([])
    async function * failing (): AsyncGenerator<number> { yield 1; throw new Error('source failed') }
    await expect(collect(batched(failing(), { maxItems: 1 }))).rejects.toThrow('source failed')
  })

  it('a consumer that stops ends the source (its finally runs), and a later failure of the source goes unhandled nowhere', async () => {
    let finished = false
    async function * items (): AsyncGenerator<number> {
      try {
        for (let i = 0; ; i++) {
          if (i === 2) throw new Error('fails after the consumer left')
          yield i
        }
      } finally {
        finished = true
      }
    }
    const unhandled: unknown[] = []
    const onUnhandled = (err: unknown): void => { unhandled.push(err) }
    process.on('unhandledRejection', onUnhandled)
    try {
      for await (const group of batched(items(), { maxItems: 2 })) {
        expect(group).toEqual([0, 1])
        break
      }
      await sleep(20)
      expect(finished).toBe(true)
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })
})
