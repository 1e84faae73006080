/**
 * Pins: one page at a time from the search extension of `GET /pins` (`limit` + `X-Next-Cursor`),
 * so the pinset is never loaded whole; each row has every allocated peer's status.
 */
import { html } from 'htm/preact'
import { useState } from 'preact/hooks'
import { getLines, messageOf } from '../api.ts'
import { usePoll } from '../poll.ts'
import type { GlobalPinInfo, PinInfoShort } from '../types.ts'
import { AddFileForm, ConfirmDialog, PinForm, recover, unpin } from './actions.ts'
import { ErrorBanner, shortId, StatusBadge } from './common.ts'

export const PAGE_SIZE = 50

const STATUS_FILTERS = ['', 'pinned', 'error', 'pin_error', 'pinning', 'queued', 'unpinned', 'remote']

/** The search query of the filter form (without paging). */
function searchQuery (form: FormData): string {
  const q = new URLSearchParams()
  const text = String(form.get('name') ?? '').trim()
  if (text !== '') q.set(String(form.get('name-match') ?? 'name-contains'), text)
  const status = String(form.get('status') ?? '')
  if (status !== '') q.set('filter', status)
  const meta = String(form.get('meta') ?? '').trim()
  const eq = meta.indexOf('=')
  if (eq > 0) q.set(`meta-${meta.slice(0, eq).trim()}`, meta.slice(eq + 1).trim())
  const peer = String(form.get('allocation') ?? '').trim()
  if (peer !== '') q.set('allocation', peer)
  return q.toString()
}

/** Statuses on the allocated peers (all peers for a pin everywhere), then the others' errors. */
export function allocatedStatuses (p: GlobalPinInfo): Array<[string, PinInfoShort]> {
  const alloc = new Set(p.allocations ?? [])
  return Object.entries(p.peer_map ?? {}).filter(([id, s]) => alloc.size === 0 || alloc.has(id) || s.error !== '')
}

function PeerStatuses ({ pin }: { pin: GlobalPinInfo }) {
  return html`<ul class="statuses">${allocatedStatuses(pin).map(([id, s]) => html`
    <li data-peer=${id}><span class="peer">${s.peername || shortId(id)}</span> <${StatusBadge} status=${s.status} />${s.error !== '' && html` <span class="reason">${s.error}</span>`}</li>`)}</ul>`
}

export function PinsView () {
  const [query, setQuery] = useState('')
  const [cursors, setCursors] = useState<string[]>([''])
  const [confirm, setConfirm] = useState<string | undefined>(undefined)
  const [actionError, setActionError] = useState<string | undefined>(undefined)
  const cursor = cursors.at(-1) ?? ''
  const page = usePoll(async (signal) => {
    const q = new URLSearchParams(query)
    q.set('limit', String(PAGE_SIZE))
    if (cursor !== '') q.set('cursor', cursor)
    return await getLines<GlobalPinInfo>(`/pins?${q.toString()}`, signal)
  }, [query, cursor])

  const search = (e: SubmitEvent): void => {
    e.preventDefault()
    setQuery(searchQuery(new FormData(e.currentTarget as HTMLFormElement)))
    setCursors([''])
  }
  const act = async (what: () => Promise<void>): Promise<void> => {
    try { await what(); setActionError(undefined) } catch (err) { setActionError(messageOf(err)) }
    page.refresh()
  }
  const closeConfirm = (ok: boolean): void => {
    const cid = confirm
    setConfirm(undefined)
    if (ok && cid !== undefined) void act(async () => { await unpin(cid) })
  }
  const items = page.data?.items ?? []
  const next = page.data?.next

  return html`
    <section aria-labelledby="pins-title">
      <h2 id="pins-title">Pins</h2>
      <form class="filters" role="search" aria-label="Filter pins" onSubmit=${search}>
        <label>Name <select name="name-match" aria-label="How the name matches">
          <option value="name-contains">contains</option><option value="name-prefix">starts with</option><option value="name">is</option>
        </select></label>
        <input name="name" aria-label="Pin name" placeholder="name" />
        <label>Status <select name="status">${STATUS_FILTERS.map(s => html`<option value=${s}>${s === '' ? 'any' : s}</option>`)}</select></label>
        <label>Metadata <input name="meta" placeholder="key=value" /></label>
        <label>Allocated to <input name="allocation" placeholder="peer ID" spellcheck="false" /></label>
        <button type="submit">Search</button>
      </form>
      <${ErrorBanner} error=${page.error ?? actionError} />
      <table class="pins" aria-busy=${page.loading}>
        <thead><tr><th scope="col">CID</th><th scope="col">Name</th><th scope="col">Status on its peers</th><th scope="col">Actions</th></tr></thead>
        <tbody>${items.map(p => html`
          <tr key=${p.cid} data-cid=${p.cid}>
            <td><a href=${`#/pins/${encodeURIComponent(p.cid)}`}><code>${shortId(p.cid)}</code></a></td>
            <td>${p.name}</td>
            <td><${PeerStatuses} pin=${p} /></td>
            <td class="row-actions">
              <button type="button" onClick=${() => { void act(async () => { await recover(p.cid) }) }} aria-label=${`Recover ${p.name || p.cid}`}>Recover</button>
              <button type="button" class="danger" onClick=${() => { setConfirm(p.cid) }} aria-label=${`Unpin ${p.name || p.cid}`}>Unpin</button>
            </td>
          </tr>`)}</tbody>
      </table>
      ${page.data !== undefined && items.length === 0 && html`<p>${next === undefined ? 'No pins match.' : 'No pin of this page has that status; more pins follow.'}</p>`}
      ${new URLSearchParams(query).has('filter') && html`<p class="note">A status filter applies to each page of ${PAGE_SIZE} pins: a page may show fewer.</p>`}
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled=${cursors.length <= 1} onClick=${() => { setCursors(cursors.slice(0, -1)) }}>Previous page</button>
        <span>Page ${cursors.length}</span>
        <button type="button" disabled=${next === undefined} onClick=${() => { if (next !== undefined) setCursors([...cursors, next]) }}>Next page</button>
      </nav>
      ${confirm !== undefined && html`<${ConfirmDialog} text=${`Unpin ${confirm} from the cluster? Every peer will drop it.`} action="Unpin" onClose=${closeConfirm} />`}
      <div class="forms">
        <${PinForm} onDone=${() => { page.refresh() }} />
        <${AddFileForm} onDone=${() => { page.refresh() }} />
      </div>
    </section>`
}
