#!/usr/bin/env bash
# Runs "$@" inside the network namespace named in <config folder>/netns (the folder is the value
# of -c), or as it is when there is no such file. exec keeps the pid the caller signals.
folder=""
prev=""
for arg in "$@"; do
  if [ "$prev" = "-c" ]; then folder="$arg"; fi
  prev="$arg"
done
if [ -n "$folder" ] && [ -f "$folder/netns" ]; then
  exec ip netns exec "$(cat "$folder/netns")" "$@"
fi
exec "$@"
