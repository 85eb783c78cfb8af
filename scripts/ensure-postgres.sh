#!/usr/bin/env bash
# The test suite runs the database tests on PostgreSQL too: start the local server if it is down.
set -euo pipefail
url=${DESKBOT_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}
hostport=${url#*@}; hostport=${hostport%%/*}
host=${hostport%%:*}; port=${hostport##*:}
if pg_isready -q -h "$host" -p "$port" 2>/dev/null; then exit 0; fi
echo "[bootstrap] PostgreSQL on $host:$port is down; starting it" >&2
if command -v pg_ctlcluster >/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
fi
for _ in $(seq 30); do pg_isready -q -h "$host" -p "$port" && exit 0; sleep 1; done
echo "[bootstrap] PostgreSQL is not reachable at $host:$port" >&2
exit 1
