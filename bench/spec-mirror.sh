#!/usr/bin/env bash
# Benchmark of `mikit spec mirror` against the local emulator (issue 6). Prints a markdown table.
#
#   bench/spec-mirror.sh [ENTRIES] [LATENCY_MS]      (defaults: 20000 entries, 20 ms)
#
# The bundled corpus has the real 2022 instances list (19,753 entries) but only 300 spec
# files, and the emulator answers 404 for a URN it has no file for (as the real service
# does), so this script first generates a --spec-dir with one spec file per instance URN: a
# real spec of the corpus (round robin) with its top-level `type` rewritten to that URN, and
# the instances list padded with synthetic released entries to ENTRIES. Then it starts
# `mikit emulator --spec-dir DIR --latency-ms LATENCY_MS` (a separate process on the same
# machine) and measures a full mirror into an empty cache and a second, resumed run.
set -euo pipefail
cd "$(dirname "$0")/.."
ENTRIES=${1:-20000}
LATENCY=${2:-20}
cargo build --release -p mikit-cli >&2
BIN=$(realpath "${CARGO_TARGET_DIR:-target}")/release/mikit
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "GNU time is needed: apt-get install -y time" >&2; exit 1; }
WORK=$(mktemp -d)
EMU_PID=
trap '[ -n "$EMU_PID" ] && kill "$EMU_PID" 2>/dev/null; rm -rf "$WORK"' EXIT

python3 - "$WORK/specs" "$ENTRIES" <<'PY'
import json, os, sys
out, entries = sys.argv[1], int(sys.argv[2])
corpus = "data/miot-spec"
os.makedirs(f"{out}/devices")
listing = json.load(open(f"{corpus}/instances.json"))["instances"]
for i in range(len(listing), entries):
    listing.append({"status": "released", "model": f"bench.pad.p{i}", "version": 1,
                    "type": f"urn:miot-spec-v2:device:outlet:0000A002:bench-p{i}:1"})
listing = listing[:entries]
files = sorted(os.listdir(f"{corpus}/devices"))
texts = [open(f"{corpus}/devices/{f}", encoding="utf-8").read() for f in files]
for i, e in enumerate(listing):
    text = texts[i % len(texts)]
    old = json.loads(text)["type"]
    # Rewrite only the top-level "type" (the first key of every served spec).
    new = text.replace(json.dumps(old), json.dumps(e["type"]), 1)
    with open(f"{out}/devices/{e['type'].replace(':', '.')}.json", "w", encoding="utf-8") as f:
        f.write(new)
json.dump({"instances": listing}, open(f"{out}/instances.json", "w"))
PY
SPEC_BYTES=$(du -sb "$WORK/specs/devices" | cut -f1)

"$BIN" emulator --devices 0 --spec-dir "$WORK/specs" --latency-ms "$LATENCY" >"$WORK/emu.json" 2>"$WORK/emu.err" &
EMU_PID=$!
for _ in $(seq 600); do [ -s "$WORK/emu.json" ] && break; sleep 0.1; done
ENDPOINT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["endpoint"])' "$WORK/emu.json")

measure() { # $1 = label, rest = command; prints a table row
  local label=$1; shift
  "$TIME" -f '%e %M' -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/out" "$WORK/err" >&2; exit 1; }
  read -r secs kb <"$WORK/time"
  printf '| %s | %s s | %s MB | %s |\n' "$label" "$secs" "$((kb / 1024))" "$(tail -n 1 "$WORK/out" | cut -c1-160)"
}

echo "| step ($ENTRIES instances, $((SPEC_BYTES / 1048576)) MB of specs, --latency-ms $LATENCY) | wall | peak RSS | output |"
echo "|---|---|---|---|"
measure "mirror into an empty cache (--jobs 16)" "$BIN" --data-dir "$WORK/d1" --endpoint "$ENDPOINT" spec mirror
measure "second run (nothing new)" "$BIN" --data-dir "$WORK/d1" --endpoint "$ENDPOINT" spec mirror
measure "mirror into an empty cache (--jobs 64)" "$BIN" --data-dir "$WORK/d2" --endpoint "$ENDPOINT" spec mirror --jobs 64
echo
echo "machine: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%d); database: $(du -sh "$WORK/d1/mikit.db" | cut -f1)"
