/** Actions: pin with options, add a file (with upload progress), unpin (confirmed), recover. */
import { html } from 'htm/preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { addFile, messageOf, request } from '../api.ts'

export async function unpin (cid: string): Promise<void> {
  await request(`/pins/${encodeURIComponent(cid)}`, { method: 'DELETE' })
}

export async function recover (cid: string): Promise<void> {
  await request(`/pins/${encodeURIComponent(cid)}/recover`, { method: 'POST' })
}

/** Pin options of a form as the API's query parameters (rest-api.md §2.3). */
function pinQuery (form: FormData): string {
  const q = new URLSearchParams()
  const name = String(form.get('name') ?? '').trim()
  if (name !== '') q.set('name', name)
  for (const key of ['replication-min', 'replication-max', 'expire-in']) {
    const v = String(form.get(key) ?? '').trim()
    if (v !== '') q.set(key, v)
  }
  const mode = String(form.get('mode') ?? 'recursive')
  if (mode !== 'recursive') q.set('mode', mode)
  for (const line of String(form.get('metadata') ?? '').split('\n')) {
    const eq = line.indexOf('=')
    if (eq > 0) q.set(`meta-${line.slice(0, eq).trim()}`, line.slice(eq + 1).trim())
  }
  return q.toString()
}

function Message ({ text, bad }: { text: string | undefined, bad: boolean }) {
  if (text === undefined) return null
  return html`<p role=${bad ? 'alert' : 'status'} class=${bad ? 'error' : 'done'}>${text}</p>`
}

/** Shared option fields of the pin and add forms. */
function OptionFields ({ prefix }: { prefix: string }) {
  return html`
    <label>Name <input name="name" id=${`${prefix}-name`} maxlength="255" /></label>
    <label>Replication min <input name="replication-min" type="number" min="-1" inputmode="numeric" /></label>
    <label>Replication max <input name="replication-max" type="number" min="-1" inputmode="numeric" /></label>
    <label>Expire in <input name="expire-in" placeholder="e.g. 24h" /></label>
    <label>Metadata <textarea name="metadata" rows="2" placeholder="key=value, one a line"></textarea></label>`
}

export function PinForm ({ onDone }: { onDone: (cid: string) => void }) {
  const [msg, setMsg] = useState<{ text: string, bad: boolean } | undefined>(undefined)
  const submit = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault()
    const el = e.currentTarget as HTMLFormElement
    const form = new FormData(el)
    const cid = String(form.get('cid') ?? '').trim()
    try {
      await request(`/pins/${encodeURIComponent(cid)}?${pinQuery(form)}`, { method: 'POST' })
      setMsg({ text: `Pinned ${cid}.`, bad: false })
      el.reset()
      onDone(cid)
    } catch (err) { setMsg({ text: messageOf(err), bad: true }) }
  }
  return html`
    <form class="action" aria-labelledby="pin-title" onSubmit=${submit}>
      <h3 id="pin-title">Pin a CID</h3>
      <label>CID <input name="cid" required spellcheck="false" /></label>
      <${OptionFields} prefix="pin" />
      <label>Mode <select name="mode"><option value="recursive">recursive</option><option value="direct">direct</option></select></label>
      <button type="submit">Pin</button>
      <${Message} text=${msg?.text} bad=${msg?.bad ?? false} />
    </form>`
}

export function AddFileForm ({ onDone }: { onDone: (cid: string) => void }) {
  const [progress, setProgress] = useState<number | undefined>(undefined)
  const [msg, setMsg] = useState<{ text: string, bad: boolean } | undefined>(undefined)
  const submit = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault()
    const el = e.currentTarget as HTMLFormElement
    const form = new FormData(el)
    const file = form.get('file')
    if (!(file instanceof File) || file.name === '') return
    setMsg(undefined)
    setProgress(0)
    try {
      const cids = await addFile(file, pinQuery(form), setProgress)
      const root = cids.at(-1) ?? ''
      setMsg({ text: `Added ${file.name}: ${root}`, bad: false })
      el.reset()
      onDone(root)
    } catch (err) { setMsg({ text: messageOf(err), bad: true }) } finally { setProgress(undefined) }
  }
  return html`
    <form class="action" aria-labelledby="add-title" onSubmit=${submit}>
      <h3 id="add-title">Add a file</h3>
      <label>File <input name="file" type="file" required /></label>
      <${OptionFields} prefix="add" />
      <button type="submit" disabled=${progress !== undefined}>Add</button>
      ${progress !== undefined && html`<label>Upload <progress max="1" value=${progress}>${Math.round(progress * 100)} %</progress></label>`}
      <${Message} text=${msg?.text} bad=${msg?.bad ?? false} />
    </form>`
}

/** A modal confirmation (native <dialog>: focus moves into it, Escape cancels). */
export function ConfirmDialog ({ text, action, onClose }: { text: string, action: string, onClose: (confirmed: boolean) => void }) {
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    ref.current?.showModal()
    return () => { ref.current?.close() }
  }, [])
  return html`
    <dialog ref=${ref} aria-labelledby="confirm-text" onCancel=${(e: Event) => { e.preventDefault(); onClose(false) }}>
      <p id="confirm-text">${text}</p>
      <div class="buttons">
        <button type="button" autofocus onClick=${() => { onClose(false) }}>Cancel</button>
        <button type="button" class="danger" onClick=${() => { onClose(true) }}>${action}</button>
      </div>
    </dialog>`
}
