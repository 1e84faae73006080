#!/usr/bin/env bash
# `pnpm bench`: runs every benchmark script (packages/*/bench/*.ts, apps/*/bench/*.ts); each writes
# its results to bench/results/. `pnpm bench <pattern>` runs only the scripts whose path matches.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
bash scripts/setup.sh
pattern="${1:-}"
for script in packages/*/bench/*.ts apps/*/bench/*.ts; do
  [ -f "$script" ] || continue
  [ -n "$pattern" ] && [[ "$script" != *"$pattern"* ]] && continue
  echo "== $script"
  node --conditions=source "$script"
done
