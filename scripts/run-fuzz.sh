#!/bin/sh
# Runs every libFuzzer target of a build for a while.
#
#   scripts/run-fuzz.sh BUILD_DIR SECONDS
#
# BUILD_DIR was configured with -Dfuzzing=true (see fuzz/meson.build).
# Each target fuzz-NAME runs for SECONDS on a temporary copy of its seed
# corpus fuzz/corpus/NAME/ (so the run never writes into the source
# tree). A crash, leak or timeout input is kept in
# BUILD_DIR/fuzz/artifacts/fuzz-NAME/ and the script exits non-zero.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu

if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
build_dir=$1
seconds=$2
source_dir=$(cd "$(dirname "$0")/.." && pwd)

work_dir=$(mktemp -d "${TMPDIR:-/tmp}/qvirt-fuzz.XXXXXX")
trap 'rm -rf "$work_dir"' EXIT

failed=""
ran=0
# One line per target, "NAME ok|failed", for scripts/test-summary.py.
results="$build_dir/fuzz-results.txt"
: > "$results"
for target in "$build_dir"/fuzz/fuzz-*; do
  [ -f "$target" ] && [ -x "$target" ] || continue
  name=$(basename "$target")
  seeds="$source_dir/fuzz/corpus/${name#fuzz-}"
  corpus="$work_dir/$name"
  artifacts="$build_dir/fuzz/artifacts/$name"

  mkdir -p "$corpus" "$artifacts"
  if [ -d "$seeds" ]; then
    cp -R "$seeds/." "$corpus/"
  else
    echo "$name: no seed corpus in $seeds, starting from nothing" >&2
  fi

  echo "== $name: ${seconds}s"
  if "$target" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
       -artifact_prefix="$artifacts/" "$corpus" 2>"$work_dir/$name.log"; then
    grep -E '^stat::number_of_executed_units|^Done [0-9]+ runs' \
      "$work_dir/$name.log" || true
    echo "$name ok" >> "$results"
  else
    tail -n 40 "$work_dir/$name.log" >&2
    echo "$name: FAILED; the input is in $artifacts/" >&2
    echo "$name failed" >> "$results"
    failed="$failed $name"
  fi
  ran=$((ran + 1))
done

if [ "$ran" -eq 0 ]; then
  echo "no fuzz targets in $build_dir/fuzz: configure it with -Dfuzzing=true" >&2
  exit 1
fi
if [ -n "$failed" ]; then
  echo "failed:$failed" >&2
  exit 1
fi
echo "all $ran fuzz targets ran ${seconds}s without failure"
