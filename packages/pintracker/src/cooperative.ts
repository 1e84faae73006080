/**
 * Items of a (possibly synchronous) pinset listing, with a turn of the event loop every
 * `every` items. A `for await` over a synchronous generator only queues microtasks, so a pass
 * over a million pins would hold the event loop for seconds: no timer, socket or peer metric
 * would be served meanwhile, and the other peers would see this one as down.
 */
export async function * cooperative<T> (items: AsyncIterable<T> | Iterable<T>, every = 256): AsyncGenerator<T> {
  let n = 0
  for await (const item of items) {
    yield item
    if (++n % every === 0) await new Promise(resolve => setImmediate(resolve))
  }
}
