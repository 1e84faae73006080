import { packageTestConfig } from '../../vitest.shared.ts'

// Browser checks poll the page: give them the same bounded wait as the page's own waits, since
// CI machines are loaded (the default is 1 s).
export default packageTestConfig(import.meta.dirname, { expect: { poll: { timeout: 20_000, interval: 100 } } })
