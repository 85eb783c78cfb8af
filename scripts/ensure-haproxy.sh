#!/usr/bin/env bash
# make cluster and its tests put HAProxy in front of the replicas: install Debian's package
# when it is missing. deskbot starts its own haproxy process with its own configuration; the
# package's service is not used.
set -euo pipefail
if command -v haproxy >/dev/null; then exit 0; fi
sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
echo "[bootstrap] installing haproxy (Debian package) for the scale-out topology" >&2
export DEBIAN_FRONTEND=noninteractive
sudo_if_needed apt-get update -qq
sudo_if_needed apt-get install -y -qq --no-install-recommends haproxy >/dev/null
command -v haproxy >/dev/null
