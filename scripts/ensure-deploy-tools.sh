#!/usr/bin/env bash
# The deployment files are checked by real tools: docker-compose (Debian's, 1.29) renders and
# validates docker-compose.yml without a Docker engine, and nginx checks deploy/nginx.conf.
# Install Debian's packages when missing (nginx's own service is not started).
set -euo pipefail
missing=()
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
echo "[bootstrap] installing ${missing[*]} (Debian packages) to check the deployment files" >&2
export DEBIAN_FRONTEND=noninteractive
sudo_if_needed apt-get update -qq
sudo_if_needed apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
