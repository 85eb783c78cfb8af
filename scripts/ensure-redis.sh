#!/usr/bin/env bash
# The scale-out tests keep Rasa's conversation locks in Redis: start the local server if it is
# down, installing Debian's package first if it is missing. It keeps nothing on disk.
set -euo pipefail
host=${DESKBOT_TEST_REDIS_HOST:-127.0.0.1}; port=${DESKBOT_TEST_REDIS_PORT:-6379}
pong() { command -v redis-cli >/dev/null && [ "$(redis-cli -h "$host" -p "$port" ping 2>/dev/null)" = PONG ]; }
if pong; then exit 0; fi
sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v redis-server >/dev/null; then
  echo "[bootstrap] installing redis-server (Debian package) for the scale-out tests" >&2
  export DEBIAN_FRONTEND=noninteractive
  sudo_if_needed apt-get update -qq
  sudo_if_needed apt-get install -y -qq --no-install-recommends redis-server redis-tools >/dev/null
fi
if pong; then exit 0; fi
echo "[bootstrap] Redis on $host:$port is down; starting it" >&2
redis-server --bind "$host" --port "$port" --save "" --appendonly no --daemonize yes >/dev/null
for _ in $(seq 30); do pong && exit 0; sleep 0.5; done
echo "[bootstrap] Redis is not reachable at $host:$port" >&2
exit 1
