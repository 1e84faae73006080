/** Peers: identity, addresses, version, Kubo, freespace and pin queue metrics; recent alerts. */
import { html } from 'htm/preact'
import { useRef } from 'preact/hooks'
import { getJson, getLines } from '../api.ts'
import { usePoll } from '../poll.ts'
import type { Alert, Metric, PeerId } from '../types.ts'
import { ErrorBanner, formatBytes, formatTime, shortId } from './common.ts'

interface PeersData { peers: PeerId[], freespace: Map<string, Metric>, pinqueue: Map<string, Metric>, alerts: Alert[] }

async function loadPeers (signal: AbortSignal): Promise<PeersData> {
  const byPeer = (ms: Metric[] | null): Map<string, Metric> => new Map((ms ?? []).map(m => [m.peer, m]))
  const [peers, freespace, pinqueue, alerts] = await Promise.all([
    getLines<PeerId>('/peers', signal),
    getJson<Metric[] | null>('/monitor/metrics/freespace', signal),
    getJson<Metric[] | null>('/monitor/metrics/pinqueue', signal),
    getJson<Alert[] | null>('/health/alerts', signal)
  ])
  const sorted = peers.items.sort((a, b) => (a.peername || a.id).localeCompare(b.peername || b.id))
  return { peers: sorted, freespace: byPeer(freespace), pinqueue: byPeer(pinqueue), alerts: alerts ?? [] }
}

function PeerRow ({ p, d, name }: { p: PeerId, d: PeersData, name: string | undefined }) {
  const down = p.error !== ''
  const free = d.freespace.get(p.id)
  const queue = d.pinqueue.get(p.id)
  return html`
    <tr class=${down ? 'down' : ''} data-peer=${p.id}>
      <td>${p.peername || name || '—'}</td>
      <td><code title=${p.id}>${shortId(p.id)}</code></td>
      <td>${down ? html`<span class="badge bad">down</span> <span class="reason">${p.error}</span>` : html`<span class="badge ok">up</span>`}</td>
      <td>${p.version || '—'}</td>
      <td>${down ? '—' : p.ipfs.error !== '' ? html`<span class="badge bad">error</span> <span class="reason">${p.ipfs.error}</span>` : html`<span class="badge ok">ok</span> <code title=${p.ipfs.id}>${shortId(p.ipfs.id ?? '')}</code>`}</td>
      <td>${free === undefined ? '—' : formatBytes(Number(free.value))}</td>
      <td>${queue === undefined ? '—' : queue.value}</td>
      <td>
        <details><summary>${(p.addresses ?? []).length} addresses</summary>
          <ul class="addresses">${(p.addresses ?? []).map(a => html`<li><code>${a}</code></li>`)}</ul>
        </details>
      </td>
    </tr>`
}

export function PeersView () {
  const { data, error } = usePoll(loadPeers, [])
  // A peer that goes down is listed without its name: keep the names seen while it was up.
  const names = useRef(new Map<string, string>()).current
  for (const p of data?.peers ?? []) if (p.peername !== '') names.set(p.id, p.peername)
  return html`
    <section aria-labelledby="peers-title">
      <h2 id="peers-title">Peers ${data !== undefined && html`<span class="count">(${data.peers.length})</span>`}</h2>
      <${ErrorBanner} error=${error} />
      ${data === undefined && error === undefined && html`<p aria-busy="true">Loading…</p>`}
      ${data !== undefined && html`
        <table class="peers">
          <thead><tr><th scope="col">Name</th><th scope="col">Peer ID</th><th scope="col">State</th><th scope="col">Version</th><th scope="col">Kubo</th><th scope="col">Free space</th><th scope="col">Pin queue</th><th scope="col">Addresses</th></tr></thead>
          <tbody>${data.peers.map(p => html`<${PeerRow} key=${p.id} p=${p} d=${data} name=${names.get(p.id)} />`)}</tbody>
        </table>
        <h3 id="alerts-title">Alerts</h3>
        ${data.alerts.length === 0
          ? html`<p>No recent alerts.</p>`
          : html`<ul class="alerts" aria-labelledby="alerts-title">${data.alerts.slice(0, 50).map(a => html`
              <li data-peer=${a.peer} data-triggered=${a.triggered_at}><span class="badge bad">${a.name}</span> metric of <strong>${names.get(a.peer) || shortId(a.peer)}</strong> expired — ${formatTime(a.triggered_at)}</li>`)}</ul>`}`}
    </section>`
}
