#!/usr/bin/env bash
# `pnpm bench`: runs every benchmark script (packages/*/bench/*.ts, apps/*/bench/*.ts); each writes
# its results to bench/results/. `pnpm bench <pattern>` runs only the scripts whose path matches.
# Then bench/side-by-side.ts: the same workloads on our cluster and on Go IPFS Cluster v1.1.6 (Raft),
# and bench/crdt.ts: the same in CRDT mode (POST /pins with and without batching, a new peer's catch-up),
# and bench/beyond.ts: what Go lacks (search over 1M pins, batch POST /pins, rebalance after a peer joins).
# and bench/observability-cost.ts: what metrics and tracing cost on the pin path (off, stats, stats + tracing),
# and bench/follow.ts: a new follower (ipfs-cluster-follow) catching up a pinset, and its memory.
# `pnpm bench --quick` (or QUICK=1 pnpm bench) runs the side-by-side suites in their quick mode.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
bash scripts/setup.sh
if [ "${1:-}" = "--quick" ]; then export QUICK=1; shift; fi
pattern="${1:-}"
for script in packages/*/bench/*.ts apps/*/bench/*.ts; do
  [ -f "$script" ] || continue
  [ -n "$pattern" ] && [[ "$script" != *"$pattern"* ]] && continue
  echo "== $script"
  node --conditions=source "$script"
done
if [ -z "$pattern" ] || [[ "bench/side-by-side.ts" == *"$pattern"* ]]; then
  echo "== bench/side-by-side.ts"
  node --conditions=source bench/side-by-side.ts ${QUICK:+--quick}
fi
if [ -z "$pattern" ] || [[ "bench/crdt.ts" == *"$pattern"* ]]; then
  echo "== bench/crdt.ts"
  node --conditions=source bench/crdt.ts ${QUICK:+--quick}
fi
if [ -z "$pattern" ] || [[ "bench/beyond.ts" == *"$pattern"* ]]; then
  echo "== bench/beyond.ts"
  node --conditions=source bench/beyond.ts ${QUICK:+--quick}
fi
if [ -z "$pattern" ] || [[ "bench/follow.ts" == *"$pattern"* ]]; then
  echo "== bench/follow.ts"
  node --conditions=source bench/follow.ts ${QUICK:+--quick}
fi
if [ -z "$pattern" ] || [[ "bench/observability-cost.ts" == *"$pattern"* ]]; then
  echo "== bench/observability-cost.ts"
  node --conditions=source bench/observability-cost.ts ${QUICK:+--quick}
fi
