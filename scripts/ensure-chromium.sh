#!/usr/bin/env bash
# The console's tests drive a real headless Chromium (Debian's package) through playwright:
# install it once if it is missing.
set -euo pipefail
if command -v chromium >/dev/null; then exit 0; fi
echo "[bootstrap] installing chromium (Debian package) for the console tests" >&2
sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive
sudo_if_needed apt-get update -qq
sudo_if_needed apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
