/** PinType (`type` of a Pin) and PinMode (`mode`), with Go's string forms and filter parsing. */
import { InvalidFilterError } from '../errors.ts'

export const PIN_TYPES = ['pin', 'meta-pin', 'clusterdag-pin', 'shard-pin', 'bad-type'] as const
/** The `type` of a pin. `bad-type` is what any unknown string decodes to. */
export type PinType = typeof PIN_TYPES[number]

/** Go's bit values: bad=1, pin=2, meta=4, clusterdag=8, shard=16; all=30. */
export const PIN_TYPE_BITS: Readonly<Record<PinType | 'all', number>> = {
  'bad-type': 1,
  pin: 2,
  'meta-pin': 4,
  'clusterdag-pin': 8,
  'shard-pin': 16,
  all: 30
}

/** A pin type from the wire; anything but the four real names is `bad-type`. */
export function pinTypeFromString (s: string): PinType {
  switch (s) {
    case 'pin': case 'meta-pin': case 'clusterdag-pin': case 'shard-pin': return s
    default: return 'bad-type'
  }
}

/** A parsed `/allocations` filter (bit set). */
export type PinTypeFilter = number

/**
 * Parses `/allocations?filter=` like Go: split on `,`, OR each name (`""` and `all` are all
 * types, unknown names add the "bad" bit). Only the exact result "bad" is rejected
 * (InvalidFilterError), so `pin,bogus` is `pin`.
 */
export function parsePinTypeFilter (text: string): PinTypeFilter {
  let filter = 0
  for (const name of text.split(',')) {
    if (name === '' || name === 'all') filter |= PIN_TYPE_BITS.all
    else filter |= PIN_TYPE_BITS[pinTypeFromString(name)]
  }
  if (filter === PIN_TYPE_BITS['bad-type']) throw new InvalidFilterError()
  return filter
}

/** Whether a pin of type `type` passes the filter. */
export function pinTypeMatches (type: PinType, filter: PinTypeFilter): boolean {
  return (PIN_TYPE_BITS[type] & filter) !== 0
}

/** How IPFS pins the content. */
export type PinMode = 'recursive' | 'direct'

/** Go's PinModeFromString: `direct` is direct, anything else recursive. */
export function pinModeFromString (s: string): PinMode {
  return s === 'direct' ? 'direct' : 'recursive'
}

/** max_depth of a mode: -1 recursive, 0 direct. */
export function pinModeToDepth (mode: PinMode): number {
  return mode === 'direct' ? 0 : -1
}

/** The mode implied by a max_depth (Go: -1 recursive, 0 direct, others recursive). */
export function pinDepthToMode (depth: number): PinMode {
  return depth === 0 ? 'direct' : 'recursive'
}
