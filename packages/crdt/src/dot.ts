/**
 * The DAG in Graphviz DOT, line by line, exactly as go-ds-crdt's DotDAG writes it (what
 * `ipfs-cluster-service state crdt dot` prints): depth first from each head, links in order.
 */
import type { CID } from 'multiformats/cid'
import type { Replica } from './replica.ts'

export async function * dotLines (replica: Replica): AsyncGenerator<string> {
  const heads = replica.info().heads.map((h) => h.cid)
  yield 'digraph CRDTDAG {'
  yield 'subgraph heads {'
  for (const h of heads) yield h.toString()
  yield '}'
  const visited = new Set<string>()
  for (const head of heads) {
    // An explicit stack (children pushed in reverse) gives Go's recursive pre-order.
    const stack: Array<{ cid: CID, isHead: boolean }> = [{ cid: head, isHead: true }]
    while (stack.length > 0) {
      const { cid, isHead } = stack.pop()!
      const long = cid.toString()
      if (visited.has(long)) continue
      visited.add(long)
      let node
      try {
        node = await replica.fetchNode(cid)
      } catch (err) {
        if (isHead) throw err
        continue // Go ignores errors below a head
      }
      yield `${long} [label="${node.delta.priority} | ${long.slice(-4)}: +${node.delta.elements.length} -${node.delta.tombstones.length}"]`
      yield `${long} -> {${node.links.map((l) => `${l.toString()} `).join('')}}`
      yield `subgraph sg_${long} {`
      for (const l of node.links) yield l.toString()
      yield '}'
      for (let i = node.links.length - 1; i >= 0; i--) stack.push({ cid: node.links[i]!, isHead: false })
    }
  }
  yield '}'
}
