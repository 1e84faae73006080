#!/bin/sh
# First start: create the configuration (listening on all interfaces so other containers reach
# the APIs), then run the given command (daemon by default).
set -e
if [ ! -f "$IPFS_CLUSTER_PATH/service.json" ]; then
  ipfs-cluster-service init --consensus "${IPFS_CLUSTER_CONSENSUS:-crdt}"
  sed -i 's#/ip4/127.0.0.1/tcp/9094#/ip4/0.0.0.0/tcp/9094#; s#/ip4/127.0.0.1/tcp/9095#/ip4/0.0.0.0/tcp/9095#' "$IPFS_CLUSTER_PATH/service.json"
fi
exec ipfs-cluster-service "$@"
