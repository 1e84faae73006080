#!/usr/bin/env bash
# `pnpm chaos [--small] [--only <fragment>,…]`: builds every package (the campaign runs the built
# daemons), then runs the fault campaign (chaos/run.ts).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
cd "$REPO_ROOT"
turbo run build --output-logs=errors-only
exec node --conditions=source chaos/run.ts "$@"
