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

# Debian packages the tests use: prometheus (promtool and a server that scrapes a cluster) and
# chromium (the dashboard's browser tests); installed only when missing.
debs=()
if ! command -v promtool >/dev/null || ! command -v prometheus >/dev/null; then debs+=(prometheus); fi
if [ ! -x /usr/bin/chromium ]; then debs+=(chromium); fi
if [ ${#debs[@]} -gt 0 ]; then
  echo "setup: installing ${debs[*]} (Debian packages)"
  sudo_cmd=""
  if [ "$(id -u)" != 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${debs[@]}" >/dev/null
fi
