// `pin_tracker.stateless` configuration (config.md §5.7, cluster-behaviour.md §7.9).
import { describe, expect, it } from 'vitest'
import { HOUR, SECOND } from '@cluster/api'
import {
  InvalidTrackerConfigError, StatelessTracker, applyStatelessEnv, defaultStatelessConfig, loadStatelessConfig,
  overlayStatelessJson, statelessConfigToJson, validateStatelessConfig
} from '../src/index.ts'
import { FakeIpfs, MemoryPinset, P1 } from './helpers.ts'

describe('stateless config', () => {
  it('has Go’s defaults and writes them as Go does (queue size omitted when default)', () => {
    const cfg = defaultStatelessConfig()
    expect(cfg).toEqual({
      maxPinQueueSize: 1_000_000,
      concurrentPins: 10,
      priorityPinMaxAge: 24n * HOUR,
      priorityPinMaxRetries: 5,
      maxRetries: 0
    })
    expect(JSON.stringify(statelessConfigToJson(cfg))).toBe(
      '{"concurrent_pins":10,"priority_pin_max_age":"24h0m0s","priority_pin_max_retries":5}')
    expect(statelessConfigToJson({ ...cfg, maxPinQueueSize: 4092, maxRetries: 3 })).toEqual({
      max_pin_queue_size: 4092,
      concurrent_pins: 10,
      priority_pin_max_age: '24h0m0s',
      priority_pin_max_retries: 5,
      max_retries: 3
    })
  })

  it('overlays JSON: 0 keeps integer defaults, durations parse strictly, unknown keys ignored', () => {
    const cfg = overlayStatelessJson({
      max_pin_queue_size: 0,
      concurrent_pins: 1,
      priority_pin_max_age: '10s',
      priority_pin_max_retries: 0,
      max_retries: 4,
      some_old_key: true
    })
    expect(cfg).toEqual({ maxPinQueueSize: 1_000_000, concurrentPins: 1, priorityPinMaxAge: 10n * SECOND, priorityPinMaxRetries: 5, maxRetries: 4 })
    expect(overlayStatelessJson({ priority_pin_max_age: '' }).priorityPinMaxAge).toBe(24n * HOUR)
    expect(overlayStatelessJson(undefined)).toEqual(defaultStatelessConfig())
    const round = overlayStatelessJson(JSON.parse(JSON.stringify(statelessConfigToJson(cfg))))
    expect(round).toEqual(cfg)
  })

  it('rejects invalid values with Go’s texts', () => {
    const bad = (json: unknown): string => {
      try {
        loadStatelessConfig(json)
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidTrackerConfigError)
        return (err as Error).message
      }
      throw new Error('expected a failure')
    }
    expect(bad({ max_pin_queue_size: -1 })).toBe('statelesstracker.max_pin_queue_size too low')
    expect(bad({ concurrent_pins: -2 })).toBe('statelesstracker.concurrent_pins is too low')
    expect(bad({ priority_pin_max_age: '0s' })).toBe('statelesstracker.priority_pin_max_age is too low')
    expect(bad({ priority_pin_max_retries: -1 })).toBe('statelesstracker.priority_pin_max_retries is too low')
    expect(bad({ max_retries: -1 })).toBe('statelesstracker.max_retries is too low')
    expect(bad({ priority_pin_max_age: '10 parsecs' })).toMatch(/^error parsing stateless\.priority_pin_max_age: time: /)
    expect(bad({ concurrent_pins: '3' })).toBe('json: cannot unmarshal string into Go struct field jsonConfig.concurrent_pins of type int')
    expect(() => { validateStatelessConfig({ ...defaultStatelessConfig(), concurrentPins: 0 }) }).toThrow('concurrent_pins is too low')
  })

  it('applies CLUSTER_STATELESS_* environment variables', () => {
    const cfg = applyStatelessEnv(defaultStatelessConfig(), {
      CLUSTER_STATELESS_CONCURRENTPINS: '3',
      CLUSTER_STATELESS_PRIORITYPINMAXAGE: '1m',
      CLUSTER_STATELESS_MAXPINQUEUESIZE: '4092',
      CLUSTER_STATELESS_MAXRETRIES: '7'
    })
    expect(cfg).toMatchObject({ concurrentPins: 3, priorityPinMaxAge: 60n * SECOND, maxPinQueueSize: 4092, maxRetries: 7, priorityPinMaxRetries: 5 })
    expect(() => applyStatelessEnv(defaultStatelessConfig(), { CLUSTER_STATELESS_CONCURRENTPINS: 'many' })).toThrow(InvalidTrackerConfigError)
    expect(loadStatelessConfig({ concurrent_pins: 2 }, { CLUSTER_STATELESS_CONCURRENTPINS: '4' }).concurrentPins).toBe(4)
  })

  it('the tracker validates its config', () => {
    expect(() => new StatelessTracker({
      peerId: P1, peerName: 'p', ipfs: new FakeIpfs(), pinset: new MemoryPinset(), config: { concurrentPins: 0 }
    })).toThrow(InvalidTrackerConfigError)
  })
})
