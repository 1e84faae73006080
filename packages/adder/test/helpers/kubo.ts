/** Kubo's own `add` of the same multipart body (hash only, nothing stored or pinned). */
import type { KuboDaemon } from '@cluster/test-utils'
import type { Body } from '@cluster/test-utils'

export interface KuboAdded { Name: string, Hash: string, Size: string }

export async function kuboAdd (kubo: KuboDaemon, body: Body, query: Record<string, string> = {}): Promise<KuboAdded[]> {
  const url = kubo.url('add', { ...query, pin: 'false', 'only-hash': 'true', progress: 'false', 'stream-channels': 'true' })
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': body.contentType },
    body: body.bytes,
    signal: AbortSignal.timeout(60_000)
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`kubo add: ${res.status} ${text}`)
  return text.trim().split('\n').filter(l => l !== '').map(line => {
    const { Name, Hash, Size } = JSON.parse(line) as KuboAdded
    return { Name, Hash, Size }
  })
}
