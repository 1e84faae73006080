#!/usr/bin/env bash
# The README's first command: installs everything, then runs the main job.
# The main job: a local 3-peer cluster on loopback (3 ipfs-cluster-service daemons, a real Kubo
# each), state under .cache/local-cluster/, and prints how to reach it (Ctrl-C stops it).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
bash scripts/setup.sh
# The dashboard's page files (the daemons run from sources, the page is built once; turbo caches).
turbo run build --filter @cluster/dashboard --output-logs=errors-only
exec node --conditions=source scripts/local-cluster.ts "$@"
