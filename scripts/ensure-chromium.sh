#!/usr/bin/env bash
# Prints the path of a Chromium for the console's browser tests, installing Debian's
# `chromium` package first when none is there (playwright-core drives it through
# executablePath; Playwright's own browser download is not used).
# Usage: chromium_path="$(bash scripts/ensure-chromium.sh)"
set -euo pipefail

found() {
  for candidate in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if found; then exit 0; fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "hookstream: Chromium is missing; install Debian's 'chromium' package (needs root and apt-get) or set CHROMIUM_PATH" >&2
  exit 1
fi

# Several test files may ask at once: one installs, the others wait and reuse it.
exec 9>/tmp/hookstream-ensure-chromium.lock
flock 9
if found; then exit 0; fi

echo "hookstream: installing Chromium (Debian package 'chromium') for the console's browser tests" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq chromium >&2
found || { echo "hookstream: the chromium package installed no chromium binary" >&2; exit 1; }
