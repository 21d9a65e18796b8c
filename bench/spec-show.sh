#!/usr/bin/env bash
# Wall time per process of `mikit spec show MODEL`, cold (empty cache: fetch the instances
# list and the spec from the emulator) and cached (issue 6; goal ≤ 20 ms cached). Needs
# hyperfine (apt-get install -y hyperfine). Prints hyperfine's markdown table.
#
#   bench/spec-show.sh [MODEL]       (default zhimi.airpurifier.ma4)
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${1:-zhimi.airpurifier.ma4}
command -v hyperfine >/dev/null || { echo "hyperfine is needed: apt-get install -y hyperfine" >&2; exit 1; }
cargo build --release -p mikit-cli >&2
BIN=$(realpath "${CARGO_TARGET_DIR:-target}")/release/mikit
WORK=$(mktemp -d)
EMU_PID=
trap '[ -n "$EMU_PID" ] && kill "$EMU_PID" 2>/dev/null; rm -rf "$WORK"' EXIT
"$BIN" emulator --devices 0 >"$WORK/emu.json" 2>"$WORK/emu.err" &
EMU_PID=$!
for _ in $(seq 100); do [ -s "$WORK/emu.json" ] && break; sleep 0.05; done
ENDPOINT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["endpoint"])' "$WORK/emu.json")
M="$BIN --data-dir $WORK/d --endpoint $ENDPOINT"
hyperfine -N --style basic --export-markdown "$WORK/cold.md" --runs 20 \
  --prepare "rm -rf $WORK/d" \
  -n "cold: spec show $MODEL (fetch list + spec)" "$M spec show $MODEL" >&2
$M spec show "$MODEL" >/dev/null
$M spec search "$MODEL" >/dev/null
hyperfine -N --style basic --export-markdown "$WORK/cached.md" --warmup 5 --runs 100 \
  -n "cached: spec show $MODEL" "$M spec show $MODEL" \
  -n "cached: spec show $MODEL --offline" "$M spec show $MODEL --offline" \
  -n "cached: spec search airpurifier" "$M spec search airpurifier" >&2
cat "$WORK/cold.md"
tail -n +3 "$WORK/cached.md"
echo
echo "machine: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%d)"
