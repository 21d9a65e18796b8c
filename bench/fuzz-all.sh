#!/usr/bin/env bash
# Build every cargo-fuzz target of fuzz/ and run each for RUNS executions, one target at a
# time (single job, niced), then print the table of docs/fuzzing.md.
#
#   bench/fuzz-all.sh [RUNS] [TARGET...]      # default: 1000000 runs, every target
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`); works on the stable toolchain
# because it builds with `--sanitizer none`. Corpora grow in fuzz/corpus/<target> (not in
# git), seeded from fuzz/seeds/<target>; logs go to fuzz/target/fuzz-logs/<target>.log;
# a crash leaves its input in fuzz/artifacts/<target>/ and is counted in the table.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-1000000}
[ $# -gt 0 ] && shift
# Resolve dependencies to the versions the workspace uses (fuzz/Cargo.lock is not in git).
[ -f fuzz/Cargo.lock ] || cp Cargo.lock fuzz/Cargo.lock

cargo fuzz build --sanitizer none
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo fuzz list)

logs=fuzz/target/fuzz-logs
mkdir -p "$logs"
echo "| target | executions | time (s) | exec/s | coverage (cov) | features (ft) | corpus (files) | crashes |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for t in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$t"
    dirs=("fuzz/corpus/$t")
    [ -d "fuzz/seeds/$t" ] && dirs+=("fuzz/seeds/$t")
    start=$(date +%s.%N)
    status=0
    nice -n 10 cargo fuzz run --sanitizer none "$t" "${dirs[@]}" -- \
        -runs="$runs" -timeout=20 -print_final_stats=1 >"$logs/$t.log" 2>&1 || status=$?
    end=$(date +%s.%N)
    secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", b - a }')
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$t.log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$logs/$t.log" | tail -1)
    last=$(grep -E '^#[0-9]+' "$logs/$t.log" | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corpus=$(find "fuzz/corpus/$t" -type f | wc -l)
    crashes=0
    [ "$status" -ne 0 ] && crashes=$(find "fuzz/artifacts/$t" -type f 2>/dev/null | wc -l)
    echo "| $t | ${execs:-?} | $secs | ${rate:-?} | ${cov:-?} | ${ft:-?} | $corpus | $crashes |"
done
