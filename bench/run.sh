#!/usr/bin/env bash
# Runs every benchmark of a build directory, one after the other:
#   bash bench/run.sh BUILD_DIR
# (`make bench` builds first, then runs this on build/.) A benchmark
# prints numbers and fails only when it cannot run at all.
set -u

build=${1:?usage: bash bench/run.sh BUILD_DIR}
dir=$build/bench

if [ ! -d "$dir" ]; then
  echo "bench/run.sh: $dir does not exist; build first (ninja -C $build)" >&2
  exit 1
fi

benchmarks=()
for file in "$dir"/bench-*; do
  [ -f "$file" ] && [ -x "$file" ] && benchmarks+=("$file")
done
if [ ${#benchmarks[@]} -eq 0 ]; then
  echo "bench/run.sh: no benchmark executables (bench-*) in $dir" >&2
  exit 1
fi

status=0
for benchmark in "${benchmarks[@]}"; do
  echo "== $(basename "$benchmark")"
  if ! "$benchmark"; then
    echo "bench/run.sh: $(basename "$benchmark") failed" >&2
    status=1
  fi
  echo
done
exit $status
