#!/usr/bin/env bash
# Runs the generator's benchmarks in release and prints a summary table for BENCHMARKS.md:
# each benchmark's median and median absolute deviation, and for the depth series the time
# per level of nesting.
#
#   scripts/bench.sh                 # everything (about 15 minutes on 2 cores)
#   scripts/bench.sh depth/          # one group (criterion's filter)
#   scripts/bench.sh --summary       # only print the table of the last run
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir="${CARGO_TARGET_DIR:-target}"
if [[ "${1:-}" != "--summary" ]]; then
  cargo bench -p tray-codegen --bench generate -- "$@"
fi

python3 - "$target_dir/criterion" <<'EOF'
import json, pathlib, re, sys

root = pathlib.Path(sys.argv[1])
if not root.is_dir():
    sys.exit(f"no criterion results in {root}: run the benchmarks first")

def show(ns):
    for unit, size in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= size:
            return f"{ns / size:.3g} {unit}"
    return f"{ns:.3g} ns"

rows = []
for estimates in sorted(root.glob("**/new/estimates.json")):
    bench = json.loads((estimates.parent / "benchmark.json").read_text())
    e = json.loads(estimates.read_text())
    name = bench["full_id"]
    median = e["median"]["point_estimate"]
    mad = e["median_abs_dev"]["point_estimate"]
    low = e["median"]["confidence_interval"]["lower_bound"]
    high = e["median"]["confidence_interval"]["upper_bound"]
    per_level = ""
    m = re.fullmatch(r"depth/[^/]+/(\d+)", name)
    if m:
        per_level = show(median / int(m.group(1)))
    rows.append((name, show(median), show(mad), f"{show(low)} – {show(high)}", per_level))

def order(row):
    parts = re.split(r"(\d+)", row[0])
    return [int(p) if p.isdigit() else p for p in parts]

print("| benchmark | median | median abs. dev. | 95% CI of median | per level |")
print("|---|---:|---:|---:|---:|")
for row in sorted(rows, key=order):
    print("| " + " | ".join(row) + " |")
EOF
