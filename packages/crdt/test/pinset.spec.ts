/** The pinset on a replica and the hooks that drive a pin tracker. */
import { describe, expect, it } from 'vitest'
import { decodePin, encodePin, type CID, type Pin } from '@cluster/api'
import { MemoryStore, Pinset, pinsetHooks, Replica, stateKey } from '../src/index.ts'
import { BlockNet, goPins } from './helpers.ts'

interface Peer { replica: Replica, pins: Pinset, sent: Uint8Array[], calls: string[], bad: string[] }

function peer (net: BlockNet): Peer {
  const p = { sent: [], calls: [], bad: [] } as unknown as Peer
  p.replica = new Replica({
    store: new MemoryStore(),
    blocks: net.access(),
    broadcast: (payload) => { p.sent.push(payload) },
    ...pinsetHooks(() => p.replica, {
      track: (pin) => { p.calls.push(`track ${pin.cid.toString()} ${pin.name}`) },
      untrack: (cid: CID) => { p.calls.push(`untrack ${cid.toString()}`) },
      onBadValue: (key) => { p.bad.push(key) }
    })
  })
  p.pins = new Pinset(p.replica, (key) => { p.bad.push(key) })
  return p
}

const full = decodePin(goPins().find((v) => v.name === 'full')!.pin)
const renamed = (pin: Pin, name: string): Pin => ({ ...pin, name })

describe('the pinset', () => {
  it('tracks and untracks on every replica, and keeps a concurrently re-added pin tracked', async () => {
    const net = new BlockNet()
    const a = peer(net)
    const b = peer(net)
    const id = full.cid.toString()
    await a.pins.add(full)
    await b.replica.receive(a.sent.at(-1)!)
    expect(b.calls).toEqual([`track ${id} ${full.name}`])
    expect(encodePin(b.pins.get(full.cid)!)).toEqual(encodePin(a.pins.get(full.cid)!))

    // Partition: a removes the pin while b updates it. After healing both keep b's pin, and
    // neither side's tracker is told to untrack it.
    a.calls = []
    b.calls = []
    await a.pins.rm(full.cid)
    await b.pins.add(renamed(full, 'kept'))
    await b.replica.receive(a.sent.at(-1)!)
    await a.replica.receive(b.sent.at(-1)!)
    expect(a.calls).toEqual([`untrack ${id}`, `track ${id} kept`])
    expect(b.calls).toEqual([`track ${id} kept`, `track ${id} kept`])
    expect(a.pins.get(full.cid)?.name).toBe('kept')

    // A remove that saw everything removes it everywhere.
    b.calls = []
    expect(await a.pins.rm(full.cid)).toBeDefined()
    await b.replica.receive(a.sent.at(-1)!)
    expect(b.calls).toEqual([`untrack ${id}`])
    expect([...b.pins.list()]).toEqual([])
    expect(await a.pins.rm(full.cid)).toBeUndefined() // nothing left to remove: nothing published
  })

  it('skips values that do not decode, in listings and hooks', async () => {
    const net = new BlockNet()
    const a = peer(net)
    const others = goPins().map((v) => decodePin(v.pin))
    for (const pin of others) await a.pins.add(pin)
    await a.replica.put(stateKey(full.cid), new Uint8Array([0x1a, 0x02, 0x01, 0x02])) // a bad allocation
    expect(a.bad).toEqual([stateKey(full.cid)])
    const listed = [...a.pins.list()].map((p) => p.cid.toString())
    expect(listed).not.toContain(full.cid.toString())
    expect(listed.length).toBe(new Set(others.map((p) => p.cid.toString())).size - 1)
    expect(a.pins.get(full.cid)).toBeUndefined()
    expect(a.pins.has(full.cid)).toBe(true) // the key holds a value, only not a readable one
  })
})
