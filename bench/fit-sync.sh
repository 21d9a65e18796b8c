#!/usr/bin/env bash
# Benchmark of `mikit fit` against the local emulator (issue 2). Prints a markdown table.
#
#   bench/fit-sync.sh [DAYS]        (default 3650 = 10 years)
#
# Builds the release binary, starts `mikit emulator` on 127.0.0.1 (a separate process on the
# same machine), and measures with GNU time: a full sync without latency, the same with
# --latency-ms 50, a sync when already up to date, the database size, and a CSV export of every minute.
set -euo pipefail
cd "$(dirname "$0")/.."
DAYS=${1:-3650}
cargo build --release -p mikit-cli >&2
BIN=$(realpath "${CARGO_TARGET_DIR:-target}")/release/mikit
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "GNU time is needed: apt-get install -y time" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

start_emulator() { # $1 = latency ms; sets ENDPOINT EMAIL PASSWORD
  "$BIN" emulator --days "$DAYS" --seed 1 --latency-ms "$1" >"$WORK/emu.json" 2>"$WORK/emu.err" &
  for _ in $(seq 100); do [ -s "$WORK/emu.json" ] && break; sleep 0.05; done
  ENDPOINT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["endpoint"])' "$WORK/emu.json")
  EMAIL=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["accounts"]["huami"]["email"])' "$WORK/emu.json")
  PASSWORD=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["accounts"]["huami"]["password"])' "$WORK/emu.json")
}

measure() { # $1 = label, rest = command; prints a table row
  local label=$1; shift
  "$TIME" -f '%e %M' -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
  read -r secs kb <"$WORK/time"
  printf '| %s | %s s | %s MB | %s |\n' "$label" "$secs" "$((kb / 1024))" "$(tail -n 1 "$WORK/out" | cut -c1-90)"
}

echo "| step ($DAYS days of history) | wall | peak RSS | output |"
echo "|---|---|---|---|"
start_emulator 0
D1=$WORK/d1
echo "$PASSWORD" | "$BIN" --data-dir "$D1" --endpoint "$ENDPOINT" fit login --email "$EMAIL" --password-stdin >/dev/null
measure "full sync, no latency" "$BIN" --data-dir "$D1" --endpoint "$ENDPOINT" fit sync
measure "sync when up to date" "$BIN" --data-dir "$D1" --endpoint "$ENDPOINT" fit sync
DB_BYTES=$(du -b "$D1/mikit.db" | cut -f1)
printf '| (database size after the sync: `du -b mikit.db`, schema %s) | | | %s bytes (%s MB) |\n' \
  "$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA user_version").fetchone()[0])' "$D1/mikit.db")" \
  "$DB_BYTES" "$(python3 -c "print(round($DB_BYTES / 1e6, 1))")"
measure "export every minute to CSV" "$BIN" --data-dir "$D1" fit export --what minutes --format csv -o "$WORK/minutes.csv"
printf '| (CSV rows) | | | %s |\n' "$(($(wc -l <"$WORK/minutes.csv") - 1))"
kill %1; wait 2>/dev/null || true

start_emulator 50
D2=$WORK/d2
echo "$PASSWORD" | "$BIN" --data-dir "$D2" --endpoint "$ENDPOINT" fit login --email "$EMAIL" --password-stdin >/dev/null
measure "full sync, --latency-ms 50" "$BIN" --data-dir "$D2" --endpoint "$ENDPOINT" fit sync
echo
echo "machine: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%d)"
