/**
 * The `@cluster/pintracker/config` entry: the `pin_tracker.stateless` config model without the
 * tracker, so a program that only reads or writes configuration starts quickly.
 */
export * from '../config.ts'
export { InvalidTrackerConfigError } from '../errors.ts'
