#!/usr/bin/env bash
# The README's test command: installs everything (scripts/setup.sh), type-checks and builds every
# package with turbo, then runs every package's tests in one vitest run. Always ends with the
# `N passed, N failed` line; a failed build counts as one failure.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

if ! bash scripts/setup.sh; then
  echo "setup failed"
  echo "0 passed, 1 failed"
  exit 1
fi

build_failed=0
if ! turbo run build --output-logs=errors-only; then
  echo "build (type check) failed"
  build_failed=1
fi
# The repository's own scripts, benchmarks and fault campaign are type-checked too (against
# package sources).
if ! { tsc -p scripts/tsconfig.json && tsc -p bench/tsconfig.json && tsc -p chaos/tsconfig.json; }; then
  echo "type check of scripts/, bench/ or chaos/ failed"
  build_failed=1
fi
# Every TypeScript example of a package README, type-checked against the packages.
if ! node scripts/check-readme-examples.ts; then
  echo "README examples failed to type-check"
  build_failed=1
fi
# Lint (biome.json: unused imports and variables, focused or skipped tests, fall-through, …).
if ! biome lint --reporter=summary; then
  echo "lint failed (biome lint)"
  build_failed=1
fi
# Unused files, exports and dependencies (knip.json says which files are entry points).
if ! knip --no-progress; then
  echo "unused code or dependencies found (knip)"
  build_failed=1
fi
# No source file of a package over 400 lines: split it by concern.
long=$(find apps/*/src packages/*/src -name '*.ts' -not -path '*/node_modules/*' -exec awk 'END { if (NR > 400) print FILENAME " (" NR " lines)" }' {} \;)
if [ -n "$long" ]; then
  echo "source files over 400 lines:"; echo "$long"
  build_failed=1
fi

# Every file or folder ARCHITECTURE.md names still exists (the map stays true as code moves).
stale=$(grep -oE '`(apps|packages)/[^` ]+`' ARCHITECTURE.md | tr -d '`' | sort -u | while read -r p; do [ -e "$p" ] || echo "$p"; done)
if [ -n "$stale" ]; then
  echo "ARCHITECTURE.md names paths that do not exist:"; echo "$stale"
  build_failed=1
fi

log=$(mktemp)
vitest run "$@" 2>&1 | tee "$log"
test_status=${PIPESTATUS[0]}
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
rm -f "$log"

passed=0; failed=1
if [ -n "$summary" ]; then
  passed=${summary%% passed*}
  failed=${summary#*, }; failed=${failed%% failed}
fi
failed=$((failed + build_failed))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$test_status" -eq 0 ]
