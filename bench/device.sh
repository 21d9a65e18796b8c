#!/usr/bin/env bash
# Benchmark of `mikit device` against the local emulator (issue 5). Prints a markdown table.
#
#   bench/device.sh [RUNS]          (default 20 runs per command)
#
# Builds the release binary and starts `mikit emulator` (a separate process) with 4 devices,
# each on its own loopback address and the real miIO port 54321, as on a LAN. Logs in to the
# emulated Xiaomi account, stores the device list, and reads each device once so that its
# spec is cached and the LAN is the remembered transport. Then measures the wall time of
# whole `mikit` processes (start, database, spec, UDP, exit):
#   - `device get` of one property of a LAN device (goal: 50 ms or less);
#   - `device status` of "Living room purifier" (zhimi.airpurifier.ma4: 54 readable
#     properties, read in 4 batches of at most 15) over the LAN, and the same through the
#     emulated cloud (`--via cloud`).
# Uses hyperfine when installed (apt-get install -y hyperfine), else a loop with date +%s%N.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-20}
cargo build --release -p mikit-cli >&2
BIN=$(realpath "${CARGO_TARGET_DIR:-target}")/release/mikit
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

# 127.45.0.1..4: addresses no test uses.
"$BIN" emulator --devices 4 --device-addr 127.45.0.1 --device-port 54321 >"$WORK/emu.json" 2>"$WORK/emu.err" &
for _ in $(seq 100); do [ -s "$WORK/emu.json" ] && break; sleep 0.05; done
[ -s "$WORK/emu.json" ] || { cat "$WORK/emu.err" >&2; exit 1; }
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$WORK/emu.json" "$1"; }
ENDPOINT=$(field 'd["endpoint"]')
USER_=$(field 'd["accounts"]["xiaomi"]["user"]')
PASSWORD=$(field 'd["accounts"]["xiaomi"]["password"]')
M=("$BIN" --data-dir "$WORK/data" --endpoint "$ENDPOINT")
echo "$PASSWORD" | "${M[@]}" cloud login --user "$USER_" --password-stdin >/dev/null
"${M[@]}" device list --refresh >/dev/null
for dev in "Living room purifier" "Bedroom ceiling light"; do
  "${M[@]}" device status "$dev" >/dev/null
done

GET=("${M[@]}" device get "Bedroom ceiling light" light.brightness)
STATUS=("${M[@]}" device status "Living room purifier")
CLOUD=("${M[@]}" device status "Living room purifier" --via cloud)
[ "$("${STATUS[@]}" | grep -c ' = ')" -ge 40 ] || { echo "fewer than 40 properties read" >&2; exit 1; }

echo "| command (one whole process, $RUNS runs) | mean | min | max |"
echo "|---|---|---|---|"
measure() { # $1 = label, rest = command
  local label=$1; shift
  if command -v hyperfine >/dev/null; then
    local q; q=$(printf '%q ' "$@")
    hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$WORK/h.json" "$q" >/dev/null 2>&1
    python3 - "$label" "$WORK/h.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[2]))["results"][0]
print(f"| {sys.argv[1]} | {r['mean']*1000:.1f} ms | {r['min']*1000:.1f} ms | {r['max']*1000:.1f} ms |")
PY
  else
    local times=()
    for _ in $(seq "$RUNS"); do
      local t0; t0=$(date +%s%N); "$@" >/dev/null; times+=($(( ($(date +%s%N) - t0) / 1000 )))
    done
    printf '%s\n' "${times[@]}" | python3 -c '
import sys
v = [int(x) / 1000 for x in sys.stdin.read().split()]
print(f"| {sys.argv[1]} | {sum(v)/len(v):.1f} ms | {min(v):.1f} ms | {max(v):.1f} ms |")' "$label"
  fi
}
measure "device get, 1 property, LAN, cached spec" "${GET[@]}"
measure "device status, 54 properties, LAN" "${STATUS[@]}"
measure "device status, 54 properties, cloud (emulated)" "${CLOUD[@]}"
measure "mikit --version (process start only)" "$BIN" --version
echo
echo "machine: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%d); timer: $(command -v hyperfine >/dev/null && echo hyperfine || echo 'date +%s%N')"
