#!/bin/sh
# An ExternalCommand worker in POSIX shell: every second, checks that a TCP port
# answers and reports how many checks passed as the task's status.
#
# Protocol: read ONE JSON line from stdin ({"id": ..., "workload": {...}}); print JSON
# lines to stdout with "status", "log" or "error"; exit 0 when done. SIGTERM means stop.
# The workload here is {"host": "127.0.0.1", "port": 8080, "checks": 5}; it is parsed
# with sed to keep the example free of jq.
set -u
read -r first
host=$(printf '%s' "$first" | sed -n 's/.*"host": *"\([^"]*\)".*/\1/p')
port=$(printf '%s' "$first" | sed -n 's/.*"port": *\([0-9]*\).*/\1/p')
checks=$(printf '%s' "$first" | sed -n 's/.*"checks": *\([0-9]*\).*/\1/p')
trap 'echo "{\"log\": \"stopping\"}"; exit 0' TERM
echo "{\"log\": \"checking ${host}:${port} ${checks} times\"}"
ok=0
i=0
while [ "$i" -lt "$checks" ]; do
    i=$((i + 1))
    if python3 -c "import socket,sys; socket.create_connection(('$host', $port), 2).close()" 2>/dev/null; then
        ok=$((ok + 1))
    fi
    echo "{\"status\": {\"checks\": $i, \"ok\": $ok}}"
    sleep 1
done
if [ "$ok" -lt "$checks" ]; then
    echo "{\"error\": \"${host}:${port} failed $((checks - ok)) of ${checks} checks\"}"
fi
