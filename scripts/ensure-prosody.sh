#!/usr/bin/env bash
# The XMPP tests run a real Prosody server of their own on loopback: install Debian's package
# once if it is missing. The tests start it with their own config; the packaged system service
# is not needed and is stopped so it holds no ports.
set -euo pipefail
if command -v prosody >/dev/null && command -v prosodyctl >/dev/null; then exit 0; fi
echo "[bootstrap] installing prosody (Debian package) for the XMPP tests" >&2
sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive
sudo_if_needed apt-get update -qq
sudo_if_needed apt-get install -y -qq --no-install-recommends prosody lua-unbound >/dev/null
sudo_if_needed service prosody stop >/dev/null 2>&1 || true
