/** One pin: its options and metadata (`GET /allocations/{cid}`), status per peer and its changes. */
import { html } from 'htm/preact'
import { useRef, useState } from 'preact/hooks'
import { getJson, messageOf } from '../api.ts'
import { usePoll } from '../poll.ts'
import type { GlobalPinInfo, Pin } from '../types.ts'
import { ConfirmDialog, recover, unpin } from './actions.ts'
import { ErrorBanner, formatTime, shortId, StatusBadge } from './common.ts'

interface Change { at: string, peer: string, status: string, error: string }

export function PinDetailView ({ cid }: { cid: string }) {
  const [confirm, setConfirm] = useState(false)
  const [actionError, setActionError] = useState<string | undefined>(undefined)
  const history = useRef<Change[]>([])
  const last = useRef(new Map<string, string>())
  const path = encodeURIComponent(cid)
  const data = usePoll(async (signal) => {
    const [pin, status] = await Promise.all([
      getJson<Pin>(`/allocations/${path}`, signal).catch((err: unknown) => { if ((err as { status?: number }).status === 404) return undefined; throw err }),
      getJson<GlobalPinInfo>(`/pins/${path}`, signal)
    ])
    // The API keeps no history: the page records each change it sees while open (newest first).
    for (const [peer, s] of Object.entries(status.peer_map ?? {})) {
      const key = `${s.status}|${s.error}`
      if (last.current.get(peer) !== key) {
        last.current.set(peer, key)
        history.current = [{ at: s.timestamp, peer: s.peername || shortId(peer), status: s.status, error: s.error }, ...history.current].slice(0, 100)
      }
    }
    return { pin, status }
  }, [cid])
  const act = async (what: () => Promise<void>): Promise<void> => {
    try { await what(); setActionError(undefined) } catch (err) { setActionError(messageOf(err)) }
    data.refresh()
  }
  const pin = data.data?.pin
  const status = data.data?.status
  return html`
    <section aria-labelledby="pin-title">
      <p><a href="#/pins">← Pins</a></p>
      <h2 id="pin-title">Pin <code>${cid}</code></h2>
      <${ErrorBanner} error=${data.error ?? actionError} />
      ${data.data !== undefined && pin === undefined && html`<p role="status">This CID is not in the pinset.</p>`}
      ${pin !== undefined && html`
        <div class="row-actions">
          <button type="button" onClick=${() => { void act(async () => { await recover(cid) }) }}>Recover</button>
          <button type="button" class="danger" onClick=${() => { setConfirm(true) }}>Unpin</button>
        </div>
        <h3>Options</h3>
        <dl class="options">
          <dt>Name</dt><dd>${pin.name || '—'}</dd>
          <dt>Mode</dt><dd>${pin.mode}</dd>
          <dt>Type</dt><dd>${pin.type}</dd>
          <dt>Replication</dt><dd>min ${pin.replication_factor_min}, max ${pin.replication_factor_max}</dd>
          <dt>Allocations</dt><dd>${(pin.allocations ?? []).length === 0 ? 'every peer' : (pin.allocations ?? []).map(a => html`<code title=${a}>${status?.peer_map[a]?.peername || shortId(a)}</code> `)}</dd>
          <dt>User allocations</dt><dd>${(pin.user_allocations ?? []).length === 0 ? '—' : (pin.user_allocations ?? []).map(a => html`<code title=${a}>${shortId(a)}</code> `)}</dd>
          <dt>Expires</dt><dd>${formatTime(pin.expire_at)}</dd>
          <dt>Pinned at</dt><dd>${formatTime(pin.timestamp)}</dd>
          <dt>Origins</dt><dd>${(pin.origins ?? []).join(', ') || '—'}</dd>
        </dl>
        <h3>Metadata</h3>
        ${Object.keys(pin.metadata ?? {}).length === 0 ? html`<p>None.</p>` : html`
          <dl class="options">${Object.entries(pin.metadata ?? {}).map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`}`}
      ${status !== undefined && html`
        <h3>Status per peer</h3>
        <table class="statuses">
          <thead><tr><th scope="col">Peer</th><th scope="col">Status</th><th scope="col">Since</th><th scope="col">Attempts</th><th scope="col">Error</th></tr></thead>
          <tbody>${Object.entries(status.peer_map ?? {}).map(([id, s]) => html`
            <tr data-peer=${id}><td>${s.peername || shortId(id)}</td><td><${StatusBadge} status=${s.status} /></td><td>${formatTime(s.timestamp)}</td><td>${s.attempt_count}</td><td class="reason">${s.error}</td></tr>`)}</tbody>
        </table>
        <h3>Changes seen</h3>
        <ol class="history">${history.current.map(h => html`<li>${formatTime(h.at)} — ${h.peer}: ${h.status}${h.error !== '' && ` (${h.error})`}</li>`)}</ol>`}
      ${confirm && html`<${ConfirmDialog} text=${`Unpin ${cid} from the cluster? Every peer will drop it.`} action="Unpin" onClose=${(ok: boolean) => { setConfirm(false); if (ok) void act(async () => { await unpin(cid) }) }} />`}
    </section>`
}
