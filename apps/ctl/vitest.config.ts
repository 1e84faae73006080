import { packageTestConfig } from '../../vitest.shared.ts'

// The golden tests run the Go ctl and ours many times (some commands sleep 1 s like Go's).
export default packageTestConfig(import.meta.dirname, { testTimeout: 120_000 })
