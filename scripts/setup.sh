#!/usr/bin/env bash
# Installs everything the repository needs on a machine that has only the system Node/npm and Go:
# Node 24 + pnpm (tools/), the workspace dependencies, and the Go programs of tools/go-tools.tsv.
# Every step is skipped when its result is already in place.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

want_node="v$(sed -n 's/.*"node": "\(.*\)".*/\1/p' tools/package.json)"
if [ "$(tools/node_modules/.bin/node --version 2>/dev/null)" != "$want_node" ]; then
  echo "setup: installing Node $want_node and pnpm into tools/"
  npm ci --prefix tools --no-audit --no-fund --loglevel=error
fi

if [ ! -f node_modules/.modules.yaml ] || [ pnpm-lock.yaml -nt node_modules/.modules.yaml ] || [ -n "${CI:-}" ]; then
  echo "setup: pnpm install"
  pnpm install --frozen-lockfile --reporter=append-only
fi

bash scripts/install-go-tools.sh

# Debian's prometheus package: promtool and a Prometheus server for the metrics tests.
if ! command -v promtool >/dev/null || ! command -v prometheus >/dev/null; then
  echo "setup: installing prometheus (Debian package)"
  sudo_cmd=""
  if [ "$(id -u)" != 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi

# Debian's chromium package: the dashboard's browser tests drive it with playwright-core.
if [ ! -x /usr/bin/chromium ]; then
  echo "setup: installing chromium (Debian package)"
  sudo_cmd=""
  if [ "$(id -u)" != 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
