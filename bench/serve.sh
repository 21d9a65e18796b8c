#!/usr/bin/env bash
# Benchmark of `mikit serve` (issue 10) on a 10-year store synced from the local emulator.
# Prints a markdown table: server time per page and API call (p50/p95 over N requests, as
# curl measures it on 127.0.0.1: connect + request + response), bytes per answer, and the RSS
# of the idle server.
#
#   bench/serve.sh [DAYS] [N]        (default 3650 days, 40 requests per path)
set -euo pipefail
cd "$(dirname "$0")/.."
DAYS=${1:-3650}
N=${2:-40}
cargo build --release -p mikit-cli >&2
BIN=$(realpath "${CARGO_TARGET_DIR:-target}")/release/mikit
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

"$BIN" emulator --days "$DAYS" --seed 1 >"$WORK/emu.json" 2>"$WORK/emu.err" &
for _ in $(seq 200); do [ -s "$WORK/emu.json" ] && break; sleep 0.05; done
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval("d"+sys.argv[2]))' "$WORK/emu.json" "$1"; }
ENDPOINT=$(field '["endpoint"]')
EMAIL=$(field '["accounts"]["huami"]["email"]')
PASSWORD=$(field '["accounts"]["huami"]["password"]')
D=$WORK/data
echo "$PASSWORD" | "$BIN" --data-dir "$D" --endpoint "$ENDPOINT" fit login --email "$EMAIL" --password-stdin >/dev/null
"$BIN" --data-dir "$D" --endpoint "$ENDPOINT" fit sync >/dev/null 2>&1

"$BIN" --data-dir "$D" --json serve --listen 127.0.0.1:0 >"$WORK/serve.json" 2>"$WORK/serve.err" &
SERVE_PID=$!
for _ in $(seq 200); do [ -s "$WORK/serve.json" ] && break; sleep 0.05; done
URL=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"].rstrip("/"))' "$WORK/serve.json")
TO=$(date -u +%Y-%m-%d)
FROM=$(date -u -d "$TO - $((DAYS - 1)) days" +%Y-%m-%d)
LAST_DAY=$(date -u -d "$TO - 1 day" +%Y-%m-%d)

echo "| answer ($DAYS days synced) | p50 | p95 | bytes |"
echo "|---|---|---|---|"
for path in "/" "/api/overview" "/activity" "/activity?from=$FROM&to=$TO" "/api/activity?from=$FROM&to=$TO" \
            "/sleep?from=$FROM&to=$TO" "/heart?date=$LAST_DAY" "/api/heart?date=$LAST_DAY" "/workouts" \
            "/coverage" "/assets/style.css"; do
  : >"$WORK/times"
  for _ in $(seq "$N"); do
    curl -s -o "$WORK/body" -w '%{time_total}\n' "$URL$path" >>"$WORK/times"
  done
  python3 - "$WORK/times" "$(stat -c %s "$WORK/body")" "$path" <<'PY'
import sys
t = sorted(float(x) * 1000 for x in open(sys.argv[1]))
p = lambda q: t[min(len(t) - 1, int(q * len(t)))]
print(f"| `{sys.argv[3]}` | {p(0.50):.1f} ms | {p(0.95):.1f} ms | {int(sys.argv[2]):,} |")
PY
done
sleep 2
printf '| (RSS of the idle server after these requests) | | | %s MB |\n' \
  "$(awk '/VmRSS/ {printf "%.1f", $2/1024}' /proc/$SERVE_PID/status)"
echo
echo "machine: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%d)"
