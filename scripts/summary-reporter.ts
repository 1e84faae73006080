// Prints the closing `N passed, N failed` line that CI reads. Failed suites (a file that
// fails to import, a hook that throws) and unhandled errors count as failures too, so a
// broken file can never hide behind a green count.
import type { Reporter, TestModule } from 'vitest/node'

export default class SummaryReporter implements Reporter {
  onTestRunEnd (modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0
    let failed = unhandledErrors.length
    for (const mod of modules) {
      let testsInModule = 0
      for (const test of mod.children.allTests()) {
        testsInModule++
        const state = test.result().state
        if (state === 'passed') passed++
        else if (state === 'failed') failed++
      }
      if (mod.state() === 'failed' && testsInModule === 0) failed++
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed\n`)
  }
}
