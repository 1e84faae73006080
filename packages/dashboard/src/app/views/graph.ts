/** The health graph (`GET /health/graph`) as a matrix: does the peer of the row see the column's? */
import { html } from 'htm/preact'
import { getJson } from '../api.ts'
import { usePoll } from '../poll.ts'
import type { ConnectGraph } from '../types.ts'
import { ErrorBanner, shortId } from './common.ts'

export function GraphView () {
  const { data, error } = usePoll(async (signal) => await getJson<ConnectGraph>('/health/graph', signal), [])
  const links = data?.cluster_links ?? {}
  const name = (id: string): string => data?.id_to_peername?.[id] || shortId(id)
  const peers = Object.keys({ ...(data?.id_to_peername ?? {}), ...links }).sort((a, b) => name(a).localeCompare(name(b)))
  const ipfsOf = data?.cluster_to_ipfs ?? {}
  return html`
    <section aria-labelledby="graph-title">
      <h2 id="graph-title">Health graph</h2>
      <p>As seen by <strong>${data === undefined ? '…' : name(data.cluster_id)}</strong>. A row lists the peers that its peer sees; a peer nobody sees, or that sees nobody, is cut off.</p>
      <${ErrorBanner} error=${error} />
      ${data !== undefined && html`
        <table class="graph">
          <thead><tr><th scope="col">Peer sees →</th>${peers.map(p => html`<th scope="col">${name(p)}</th>`)}<th scope="col">Kubo swarm peers</th></tr></thead>
          <tbody>${peers.map(row => {
            const seen = new Set(links[row] ?? [])
            const ipfs = ipfsOf[row]
            return html`<tr data-peer=${row}>
              <th scope="row">${name(row)}</th>
              ${peers.map(col => col === row
                ? html`<td class="muted">—</td>`
                : seen.has(col)
                  ? html`<td class="ok" aria-label=${`${name(row)} sees ${name(col)}`}>✔</td>`
                  : html`<td class="bad" aria-label=${`${name(row)} does not see ${name(col)}`}>✘</td>`)}
              <td>${ipfs === undefined ? html`<span class="badge bad">Kubo unreachable</span>` : (data.ipfs_links?.[ipfs] ?? []).length}</td>
            </tr>`
          })}</tbody>
        </table>`}
    </section>`
}
