/**
 * A parser that keeps its answers by input text, up to `max` texts (then it starts over), for
 * texts a peer reads again and again: its peers' IDs, their IPFS daemons' addresses in every
 * status item. Failures are not kept. `parse` must depend on the text alone.
 */
export function memoizeParse<T> (parse: (text: string) => T, max = 4096): (text: string) => T {
  const known = new Map<string, T>()
  return (text) => {
    const hit = known.get(text)
    if (hit !== undefined) return hit
    const value = parse(text)
    if (known.size >= max) known.clear()
    known.set(text, value)
    return value
  }
}
