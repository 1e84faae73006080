/**
 * The store's content in go-ds-crdt's on-disk key layout (spec §4.1: `/c/s/k/K/v`, `/c/s/s/K/B`,
 * `/c/h/B`, …), unsorted. For inspection and for comparing a replica with a Go datastore; blocks
 * (`/c/b/blocks/…`) belong to the blockstore and are not listed.
 */
import { CID } from 'multiformats/cid'
import { base32Upper } from './keys.ts'
import type { CrdtStore } from './store.ts'

function uvarint (value: number): Uint8Array {
  const out: number[] = []
  let v = value
  while (v >= 0x80) { out.push((v % 0x80) | 0x80); v = Math.floor(v / 0x80) }
  out.push(v)
  return Uint8Array.from(out)
}

const EMPTY = new Uint8Array(0)
// A state key is "/K": Go's cleaned paths join it without doubling the slash.
const bare = (key: string): string => key.replace(/^\/+/, '')

export function * goLayout (store: CrdtStore, namespace = '/c'): Generator<[string, Uint8Array]> {
  for (let page = store.valuesPage(undefined, 1000), after: string | undefined; page.length > 0; page = store.valuesPage(after, 1000)) {
    for (const [key] of page) {
      const v = store.getValue(key)!
      yield [`${namespace}/s/k/${bare(key)}/v`, v.value]
      yield [`${namespace}/s/k/${bare(key)}/p`, uvarint(v.priority + 1)]
    }
    after = page[page.length - 1]![0]
  }
  const elements = [...store.elementRecords()]
  for (const e of elements) {
    if (e.priority > 0) yield [`${namespace}/s/s/${bare(e.key)}/${bare(e.id)}`, EMPTY]
    if (e.tombstoned) yield [`${namespace}/s/t/${bare(e.key)}/${bare(e.id)}`, EMPTY]
  }
  for (const h of store.listHeads()) yield [`${namespace}/h/${base32Upper(CID.decode(h.cid).multihash.bytes)}`, uvarint(h.height)]
  for (const mh of [...store.processedBlocks()]) yield [`${namespace}/b/${base32Upper(mh)}`, EMPTY]
  if (store.isDirty()) yield [`${namespace}/d`, EMPTY]
  yield [`${namespace}/crdt_version`, uvarint(2)]
}
