#!/usr/bin/env bash
# Builds the Go programs listed in tools/go-tools.tsv (Kubo, and the Go cluster tools used as
# outside clients and benchmark baseline) into .cache/gobin. A binary is rebuilt only when its
# pinned module version changes. We build inside the downloaded module rather than with
# `go install mod@version`, because `go install` refuses modules whose go.mod has replace or
# exclude directives (Kubo has them).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
mkdir -p "$CLUSTER_GOBIN"

# Usage: install-go-tools.sh [--group G] [name]: the lines without a group (default), those of
# group G, or the one named.
group=""
if [ "${1:-}" = "--group" ]; then group="$2"; shift 2; fi
only="${1:-}"
while IFS=$'\t' read -r name module version pkg line_group; do
  case "$name" in ''|'#'*) continue ;; esac
  if [ -n "$only" ]; then
    [ "$only" != "$name" ] && continue
  elif [ "${line_group:-}" != "$group" ]; then
    continue
  fi
  stamp="$CLUSTER_GOBIN/$name.version"
  if [ -x "$CLUSTER_GOBIN/$name" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$module@$version" ]; then
    continue
  fi
  echo "setup: building $name from $module@$version (minutes when the Go build cache is cold)"
  dir=$(cd /tmp && go mod download -json "$module@$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [ -d "$dir" ] || { echo "setup: could not download $module@$version" >&2; exit 1; }
  (cd "$dir" && go build -trimpath -o "$CLUSTER_GOBIN/$name.tmp" "$pkg")
  mv "$CLUSTER_GOBIN/$name.tmp" "$CLUSTER_GOBIN/$name"
  echo "$module@$version" > "$stamp"
done < "$REPO_ROOT/tools/go-tools.tsv"
