/**
 * The `allocator.balanced` section (config.md §5.9). An empty or missing `allocate_by` keeps
 * the default; when the whole section is absent the loader uses `["freespace"]` instead.
 */
import type { SectionCodec } from '../section.ts'

export interface BalancedSection {
  /** Metric names used, in order, to partition and sort candidate peers. */
  allocateBy: string[]
}

export const DEFAULT_ALLOCATE_BY = ['tag:group', 'freespace'] as const
/** `allocate_by` when `allocator.balanced` is absent from the file (legacy compatibility). */
export const LEGACY_ALLOCATE_BY = ['freespace'] as const

export const balancedCodec: SectionCodec<BalancedSection> = {
  key: 'balanced',
  envPrefix: 'CLUSTER_BALANCED',
  known: ['allocate_by'],
  envFields: [{ name: 'ALLOCATEBY', path: 'allocate_by', kind: 'list' }],
  defaults: () => ({ allocateBy: [...DEFAULT_ALLOCATE_BY] }),
  apply: (base, r) => {
    const list = r.stringList('allocate_by') ?? []
    return { allocateBy: list.length > 0 ? list : [...base.allocateBy] }
  },
  validate: (c) => (c.allocateBy.length === 0 ? 'metricalloc.allocate_by is invalid' : undefined),
  toJson: (c) => ({ allocate_by: [...c.allocateBy] })
}
