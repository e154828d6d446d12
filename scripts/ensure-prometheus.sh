#!/usr/bin/env bash
# Prints the directory holding `promtool` and `prometheus`, installing Debian's
# `prometheus` package first when they are missing. The ops checks (packages/ops-checks)
# run `promtool check|test` and start a throw-away Prometheus of their own, so the
# package's own daemon must never be left running: its start is blocked while the
# package installs, and stopped if something started it anyway.
# Usage: bin_dir="$(bash scripts/ensure-prometheus.sh)"
set -euo pipefail

found() {
  command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1
}

if found; then
  dirname "$(command -v promtool)"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "hookstream: promtool is missing; install Debian's 'prometheus' package (needs root)" >&2
  exit 1
fi

# Several test files may ask at once: one installs, the others wait and reuse it.
exec 9>/tmp/hookstream-ensure-prometheus.lock
flock 9
if found; then
  dirname "$(command -v promtool)"
  exit 0
fi

echo "hookstream: installing Prometheus (Debian package 'prometheus') for the ops checks" >&2

# policy-rc.d exit code 101 = "action forbidden": the package's postinst may not start
# its daemon (which would listen on 9090). Only a policy we created is removed again.
policy=/usr/sbin/policy-rc.d
created_policy=""
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  created_policy="yes"
fi
cleanup() {
  if [ -n "$created_policy" ]; then rm -f "$policy"; fi
}
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends prometheus >&2

# Belt and braces: if a daemon was started despite the policy, stop it.
if command -v service >/dev/null 2>&1; then service prometheus stop >/dev/null 2>&1 || true; fi
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl disable --now prometheus >/dev/null 2>&1 || true
fi

found || { echo "hookstream: the prometheus package installed no promtool" >&2; exit 1; }
dirname "$(command -v promtool)"
