#!/usr/bin/env python3
"""Prints the combined result of every meson test run (and the fuzz run)
as one closing line: "N passed, N failed".

Each GLib test binary speaks TAP; a test case is one "ok"/"not ok" line.
A binary that crashed or printed no TAP counts as one failure, so a
broken test can never hide behind a missing count."""
import json
import os
import re
import sys

TAP_RESULT = re.compile(r"^(not ok|ok)\b(.*)$")

def count_build(build_dir):
    passed = failed = 0
    log = os.path.join(build_dir, "meson-logs", "testlog.json")
    if not os.path.exists(log):
        return None
    with open(log) as f:
        for line in f:
            entry = json.loads(line)
            result = entry.get("result")
            cases_ok = cases_failed = 0
            for out_line in (entry.get("stdout") or "").splitlines():
                m = TAP_RESULT.match(out_line)
                if not m:
                    continue
                if "# SKIP" in m.group(2):
                    # Skips are failures here: nothing is skipped silently.
                    cases_failed += 1
                elif m.group(1) == "ok":
                    cases_ok += 1
                else:
                    cases_failed += 1
            if result not in ("OK", "EXPECTEDFAIL") and cases_failed == 0:
                cases_failed = 1
            passed += cases_ok
            failed += cases_failed
    return passed, failed

def main():
    total_passed = total_failed = 0
    for build_dir in sys.argv[1:]:
        if build_dir.endswith("fuzz"):
            result_file = os.path.join(build_dir, "fuzz-results.txt")
            if not os.path.exists(result_file):
                print(f"test-summary: {build_dir} has no fuzz results", file=sys.stderr)
                total_failed += 1
                continue
            passed = failed = 0
            with open(result_file) as f:
                for line in f:
                    name, status = line.split()
                    if status == "ok":
                        passed += 1
                    else:
                        failed += 1
            print(f"{build_dir}: {passed} fuzz targets passed, {failed} failed")
            total_passed += passed
            total_failed += failed
            continue
        counts = count_build(build_dir)
        if counts is None:
            print(f"test-summary: {build_dir} has no test log", file=sys.stderr)
            total_failed += 1
            continue
        print(f"{build_dir}: {counts[0]} passed, {counts[1]} failed")
        total_passed += counts[0]
        total_failed += counts[1]
    print(f"{total_passed} passed, {total_failed} failed")
    return 1 if total_failed else 0

if __name__ == "__main__":
    sys.exit(main())
