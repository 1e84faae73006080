// Shared vitest settings for every workspace package: tests import workspace dependencies
// through their `source` export condition, so no build is needed before testing.
import { defineProject, type UserWorkspaceConfig } from 'vitest/config'

const conditions = ['source', 'node', 'import', 'module', 'default']

export function packageTestConfig (dir: string, extra: UserWorkspaceConfig['test'] = {}): UserWorkspaceConfig {
  return defineProject({
    root: dir,
    resolve: { conditions },
    // Vitest hands the SSR conditions to Node (`--conditions`) for external packages too, and
    // `module` there picks bundler-only builds (OpenTelemetry's have extensionless imports).
    ssr: { resolve: { conditions: conditions.filter(c => c !== 'module'), externalConditions: ['source'] } },
    test: {
      include: ['test/**/*.spec.ts'],
      environment: 'node',
      testTimeout: 30_000,
      hookTimeout: 60_000,
      ...extra
    }
  })
}
