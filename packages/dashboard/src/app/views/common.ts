/** Small pieces shared by the views. */
import { html } from 'htm/preact'

export function shortId (id: string): string {
  return id.length > 16 ? `${id.slice(0, 6)}…${id.slice(-6)}` : id
}

export function formatBytes (n: number): string {
  if (!Number.isFinite(n)) return '—'
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']
  let i = 0
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++ }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`
}

export function formatTime (t: string | number): string {
  const d = new Date(t)
  return Number.isNaN(d.getTime()) || d.getUTCFullYear() <= 1 ? '—' : d.toLocaleString()
}

/** An error of the view's data (peer down, API refusing), announced to screen readers. */
export function ErrorBanner ({ error }: { error: string | undefined }) {
  return error === undefined ? null : html`<p role="alert" class="error">${error}</p>`
}

const STATUS_CLASS: Record<string, string> = {
  pinned: 'ok', remote: 'muted', unpinned: 'muted', sharded: 'muted',
  pin_error: 'bad', unpin_error: 'bad', cluster_error: 'bad', error: 'bad',
  pinning: 'busy', unpinning: 'busy', pin_queued: 'busy', unpin_queued: 'busy', queued: 'busy'
}

export function StatusBadge ({ status }: { status: string }) {
  return html`<span class=${`badge ${STATUS_CLASS[status] ?? 'muted'}`}>${status}</span>`
}
