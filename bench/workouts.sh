#!/usr/bin/env bash
# Benchmark of workouts (issue 11) against the local emulator. Prints a markdown table.
#
#   bench/workouts.sh [DAYS]        (default 3650 = 10 years, ≈ 800 workouts)
#
# Builds the release binary, starts `mikit emulator --days DAYS --seed 1` on 127.0.0.1 (a
# separate process on the same machine, no latency), and measures with GNU time:
#   - the full sync of the workout history and every detail (`fit sync --only workouts`;
#     goal ≤ 15 s), and the same again when nothing changed;
#   - the full sync of everything (band days, then workouts) into a second database;
#   - the export of every track as FIT and as GPX (goal ≤ 5 s each) and as TCX;
#   - the database sizes (`du -b mikit.db`).
set -euo pipefail
cd "$(dirname "$0")/.."
DAYS=${1:-3650}
cargo build --release -p mikit-cli >&2
BIN=$(realpath "${CARGO_TARGET_DIR:-target}")/release/mikit
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "GNU time is needed: apt-get install -y time" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

"$BIN" emulator --days "$DAYS" --seed 1 --devices 0 >"$WORK/emu.json" 2>"$WORK/emu.err" &
for _ in $(seq 100); do [ -s "$WORK/emu.json" ] && break; sleep 0.05; done
[ -s "$WORK/emu.json" ] || { cat "$WORK/emu.err" >&2; exit 1; }
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$WORK/emu.json" "$1"; }
ENDPOINT=$(field 'd["endpoint"]')
EMAIL=$(field 'd["accounts"]["huami"]["email"]')
PASSWORD=$(field 'd["accounts"]["huami"]["password"]')

measure() { # $1 = label, rest = command; prints a table row
  local label=$1; shift
  "$TIME" -f '%e %M' -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
  read -r secs kb <"$WORK/time"
  printf '| %s | %s s | %s MB | %s |\n' "$label" "$secs" "$((kb / 1024))" "$(grep -v '^Done in' "$WORK/out" | tail -n 1 | cut -c1-110)"
}
size() { du -b "$1/mikit.db" | cut -f1; }

echo "| step ($DAYS days of history) | wall | peak RSS | output |"
echo "|---|---|---|---|"
W=$WORK/workouts
echo "$PASSWORD" | "$BIN" --data-dir "$W" --endpoint "$ENDPOINT" fit login --email "$EMAIL" --password-stdin >/dev/null
measure "sync of every workout and its detail" "$BIN" --data-dir "$W" --endpoint "$ENDPOINT" fit sync --only workouts
measure "workout sync when nothing changed" "$BIN" --data-dir "$W" --endpoint "$ENDPOINT" fit sync --only workouts
printf '| (database with the workouts only: `du -b mikit.db`) | | | %s bytes |\n' "$(size "$W")"
for f in fit gpx tcx; do
  measure "export every track as ${f^^}" "$BIN" --data-dir "$W" fit export --what tracks --format "$f" -o "$WORK/$f"
  printf '| (%s files, `du -sb`) | | | %s bytes |\n' "${f^^}" "$(du -sb "$WORK/$f" | cut -f1)"
done
measure "export again (every file exists)" "$BIN" --data-dir "$W" fit export --what tracks --format fit -o "$WORK/fit"

A=$WORK/all
echo "$PASSWORD" | "$BIN" --data-dir "$A" --endpoint "$ENDPOINT" fit login --email "$EMAIL" --password-stdin >/dev/null
measure "full sync of everything (days, then workouts)" "$BIN" --data-dir "$A" --endpoint "$ENDPOINT" fit sync
printf '| (database with days and workouts: `du -b mikit.db`) | | | %s bytes |\n' "$(size "$A")"
echo
echo "machine: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%d), load $(cut -d' ' -f1-3 /proc/loadavg)"
