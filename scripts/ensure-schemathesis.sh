#!/usr/bin/env bash
# Installs schemathesis (the property-based API fuzzer the API's fuzz test runs) into a
# project-local virtualenv on first use, from PyPI, pinned; then prints the path of its
# `st` binary. Idempotent: a second run with the same pin only prints the path.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="4.32.5"
venv="$root/.tools/schemathesis"
st="$venv/bin/st"
stamp="$venv/.installed-$version"

if [ ! -x "$st" ] || [ ! -f "$stamp" ]; then
  # Two test runs may start at once: one installs, the other waits for it.
  mkdir -p "$root/.tools"
  exec 9>"$root/.tools/schemathesis.lock"
  flock 9
fi
if [ ! -x "$st" ] || [ ! -f "$stamp" ]; then
  command -v python3 >/dev/null 2>&1 || { echo "hookstream: python3 is required to install schemathesis" >&2; exit 1; }
  echo "hookstream: installing schemathesis $version into .tools/schemathesis" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$version" >&2
  touch "$stamp"
fi
echo "$st"
