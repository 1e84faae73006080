import { decodeConfChange } from './confchange.ts'
import type { ConfState, Entry, Message, Snapshot } from './messages.ts'

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** An entry's payload as text when it is short printable UTF-8, else its size. */
function describeData (data: Uint8Array): string {
  if (data.length === 0) return ''
  if (data.length <= 64) {
    try {
      const s = utf8.decode(data)
      if (!/[\u0000-\u001f\u007f]/.test(s)) return ` ${JSON.stringify(s)}`
    } catch { /* not UTF-8 */ }
  }
  return ` <${data.length} bytes>`
}

/** One entry, etcd style: `term/index type payload` (`2/5 normal "x"`, `2/6 confChange addNode d`). */
export function describeEntry (e: Entry): string {
  if (e.type === 'confChange') {
    try {
      const cc = decodeConfChange(e.data)
      return `${e.term}/${e.index} confChange ${cc.type} ${cc.nodeId}`
    } catch {
      return `${e.term}/${e.index} confChange${describeData(e.data)}`
    }
  }
  return `${e.term}/${e.index} normal${describeData(e.data)}`
}

export function describeConfState (cs: ConfState): string {
  let s = `voters=(${cs.voters.join(' ')})`
  if (cs.learners.length > 0) s += ` learners=(${cs.learners.join(' ')})`
  if (cs.votersOutgoing.length > 0) s += ` outgoing=(${cs.votersOutgoing.join(' ')})`
  return s
}

export function describeSnapshot (s: Snapshot): string {
  return `index=${s.metadata.index} term=${s.metadata.term} ${describeConfState(s.metadata.confState)}`
}

/**
 * One message on one line, etcd style: `a->b app term=2 log=1/3 commit=3 entries=[2/4 normal "x"]`.
 * Fields at their zero value are left out.
 */
export function describeMessage (m: Message): string {
  let s = `${m.from}->${m.to === '' ? '(local)' : m.to} ${m.type} term=${m.term}`
  if (m.logTerm !== 0 || m.index !== 0) s += ` log=${m.logTerm}/${m.index}`
  if (m.commit !== 0) s += ` commit=${m.commit}`
  if (m.reject) s += ` rejected hint=${m.rejectHint}`
  if (m.transfer === true) s += ' transfer'
  if (m.noAnswer === true) s += ' no-answer'
  if (m.context !== undefined && m.context.length > 0) s += ` context=${m.context.length}B`
  if (m.entries.length > 0) s += ` entries=[${m.entries.map(describeEntry).join(', ')}]`
  if (m.snapshot !== undefined) s += ` snapshot=[${describeSnapshot(m.snapshot)}]`
  return s
}
