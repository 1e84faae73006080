// Prints the closing `N passed, N failed` line that CI reads. Failed suites (a file that
// fails to import, a hook that throws) and unhandled errors count as failures too, so a
// broken file can never hide behind a green count.
import type { Reporter, TestModule } from 'vitest/node'

export default class SummaryReporter implements Reporter {
  onTestRunEnd (modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0
    let failed = unhandledErrors.length
    for (const mod of modules) {
      let failedInModule = 0
      for (const test of mod.children.allTests()) {
        const state = test.result().state
        if (state === 'passed') passed++
        else if (state === 'failed') failedInModule++
      }
      // A file that failed without a failed test (it did not import, or a beforeAll threw and
      // its tests were skipped) is one failure.
      if (mod.state() === 'failed' && failedInModule === 0) failedInModule = 1
      failed += failedInModule
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed\n`)
  }
}
