/**
 * `health graph`: the Graphviz dot file Go's ctl writes for a ConnectGraph (ctl.md §6.12),
 * byte for byte (no newline after the final `}`).
 */
import type { ConnectGraph } from '@cluster/api'
import { byBytes } from './format-text.ts'

interface NodeStyle {
  color: string
  shape: string
  peripheries?: number
}

function shortId (id: string): string {
  return `${id.slice(0, 2)}*${id.slice(-6)}`
}

function nodeLine (name: string, label: string, group: string, style: NodeStyle): string {
  let out = `${name} [label=${label} group="${group}" color="${style.color}" style="filled" colorscheme="x11" ` +
    `fontcolor="black" fontname="Arial" shape="${style.shape}" `
  if (style.peripheries !== undefined && style.peripheries !== 0) out += `peripheries="${style.peripheries}" `
  return out + ']'
}

function label (title: string, sub: string): string {
  return `< <B> ${title} </B> <BR/> <B> ${sub} </B> >`
}

/** The dot text; `allIpfsPeers` also draws IPFS peers that are not part of the cluster. */
export function makeDot (cg: ConnectGraph, allIpfsPeers: boolean): string {
  const ipfsLinks = cg.ipfsLinks ?? {}
  const ipfsEdges = new Map<string, string[]>()
  for (const [k, links] of Object.entries(ipfsLinks)) {
    const kept = (links ?? []).filter((id) => Object.hasOwn(ipfsLinks, id) || allIpfsPeers)
    ipfsEdges.set(k, kept)
  }
  if (allIpfsPeers) {
    for (const links of Object.values(ipfsLinks)) {
      for (const id of links ?? []) if (!ipfsEdges.has(id)) ipfsEdges.set(id, [])
    }
  }
  const names = cg.idToPeername ?? {}
  const trust = cg.clusterTrustLinks ?? {}
  const clusterLinks = cg.clusterLinks ?? {}
  const toIpfs = cg.clusterToIpfs ?? {}

  const clusterNodes = new Map<string, string>()
  const ipfsNodes = new Map<string, string>()
  const erroredNodes = new Map<string, string>()

  let out = 'digraph cluster {\n/* The nodes of the connectivity graph */\n/* The cluster-service peers */\nsubgraph  {\nrank="min"\n'
  const clusterKeys = Object.keys(clusterLinks).sort(byBytes)
  for (const k of clusterKeys) {
    const n = clusterNodes.size
    let name: string
    let style: NodeStyle
    if (k === cg.clusterId) {
      name = `C${n}`
      style = { color: 'orange', shape: 'box3d', peripheries: 2 }
    } else if (trust[k] === true) {
      name = `T${n}`
      style = { color: 'orange', shape: 'box3d' }
    } else {
      name = `C${n}`
      style = { color: 'darkorange3', shape: 'box3d' }
    }
    clusterNodes.set(k, name)
    out += nodeLine(name, label(names[k] ?? '', shortId(k)), k, style) + '\n'
  }
  out += '}\n\n/* The ipfs peers */\nsubgraph  {\nrank="max"\n'
  const ipfsKeys = [...ipfsEdges.keys()].sort(byBytes)
  for (const k of ipfsKeys) {
    const name = `I${ipfsNodes.size + erroredNodes.size}`
    ipfsNodes.set(k, name)
    out += nodeLine(name, label('IPFS', shortId(k)), k, { color: 'turquoise3', shape: 'cylinder' }) + '\n'
  }
  for (const k of clusterKeys) {
    if (Object.hasOwn(toIpfs, k)) continue
    const name = `I${ipfsNodes.size + erroredNodes.size}`
    erroredNodes.set(k, name)
    out += nodeLine(name, label('IPFS', 'Errored'), k, { color: 'firebrick1', shape: 'cylinder' }) + '\n'
  }
  out += '}\n\n/* Edges representing active connections in the cluster */\n/* The connections among cluster-service peers */\n'
  for (const k of clusterKeys) {
    const from = clusterNodes.get(k)!
    for (const v of clusterLinks[k] ?? []) {
      const to = clusterNodes.get(v)
      if (to !== undefined) out += `${from} -> ${to}\n`
    }
  }
  out += '\n/* The connections between cluster peers and their ipfs daemons */\n'
  for (const k of clusterKeys) {
    const from = clusterNodes.get(k)!
    const errored = erroredNodes.get(k)
    if (errored !== undefined) {
      out += `${from} -> ${errored} [ style="dotted" ]\n`
      continue
    }
    const to = ipfsNodes.get(toIpfs[k]!)
    if (to !== undefined) out += `${from} -> ${to}\n`
  }
  out += '\n/* The swarm peer connections among ipfs daemons in the cluster */\n'
  for (const k of ipfsKeys) {
    const from = ipfsNodes.get(k)!
    for (const v of ipfsEdges.get(k) ?? []) {
      const to = ipfsNodes.get(v)
      if (to !== undefined) out += `${from} -> ${to}\n`
    }
  }
  return out + '}'
}
