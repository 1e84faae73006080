#!/usr/bin/env bash
# The README's first command: installs everything, then runs the main job.
# Until the cluster service exists, the main job starts the IPFS side of a local peer: a real Kubo
# on loopback with a temporary repository, and prints how to reach it (Ctrl-C stops and cleans up).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
bash scripts/setup.sh
exec node --conditions=source scripts/local-node.ts "$@"
