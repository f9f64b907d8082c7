#!/usr/bin/env bash
# How long a user's build of generated code takes: wraps the corpus schemas as Tray snapshots
# (scripts/corpus-snapshots.sh, one service each), generates the connectors crate from them
# with `tray-codegen generate` into a scratch workspace (path dependency on this repository's
# tray-auth, this repository's Cargo.lock), builds its dependencies once, then times a debug
# `cargo check` and `cargo build` of the generated crate alone with 1, 50 and all connectors
# turned on (its cargo features: modules spread evenly over the name order, so that a subset
# is as heavy as the average; one connector is the middle one). Prints a Markdown table.
#
#   scripts/bench-compile.sh                 # 3 runs each, scratch in $CARGO_TARGET_DIR/bench-compile
#   RUNS=5 scripts/bench-compile.sh
#   BENCH_DIR=/tmp/bc scripts/bench-compile.sh
#   COUNTS="1 all" MODES=build scripts/bench-compile.sh
#
# Each run touches the crate's lib.rs so that only the generated crate rebuilds, with
# CARGO_INCREMENTAL=0 (an incremental rebuild of unchanged sources would reuse its previous
# work; a crate built as a dependency is never incremental). The scratch workspace has no
# [profile] section: cargo's default dev profile, as in a user's project.
#
# Columns: wall time, user+sys CPU time of cargo and everything it ran, and two peaks of
# memory: `max RSS` as /usr/bin/time reports it (the largest single process of the tree, here
# rustc: Linux's wait4 gives the maximum over waited-for descendants, not their sum) and
# `tree RSS`, the sum over the whole process tree sampled every 20 ms (cargo + rustc + any
# build-script processes at the same moment). The machine's load average is printed before
# each configuration: other builds on the machine stretch wall time, CPU time much less.
# Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"

runs="${RUNS:-3}"
counts="${COUNTS:-1 50 all}"
modes="${MODES:-check build}"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
bench="${BENCH_DIR:-$target_dir/bench-compile}"

mkdir -p "$bench"
bench="$(cd "$bench" && pwd)"
echo "scratch workspace: $bench" >&2

# The generator and the corpus wrapper, as the repository builds them.
cargo build -q -p tray-codegen --bin tray-codegen
scripts/corpus-snapshots.sh "$bench/schemas" >&2
"$target_dir/debug/tray-codegen" generate --quiet --schemas "$bench/schemas" --out "$bench/connectors" >&2

runtime="$(cd runtime && pwd)"
cat >"$bench/Cargo.toml" <<EOF
# Written by scripts/bench-compile.sh: the generated connectors crate as a user's workspace
# holds it (cargo's default profiles).
[workspace]
resolver = "2"
members = ["connectors"]

[workspace.package]
edition = "2021"
rust-version = "1.85"
license = "MIT OR Apache-2.0"
publish = false

[workspace.dependencies]
serde = { version = "1", features = ["derive"] }
serde_json = { version = "1", features = ["preserve_order"] }
tray-auth = { path = "$runtime", default-features = false }
EOF
cp Cargo.lock "$bench/Cargo.lock"

python3 - "$bench" "$runs" "$counts" "$modes" <<'EOF'
import os, re, statistics, subprocess, sys, threading, time

bench, runs, counts, modes = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(), sys.argv[4].split()
manifest = os.path.join(bench, "Cargo.toml")
lib_rs = os.path.join(bench, "connectors", "src", "lib.rs")
modules = sorted(re.findall(r'^(\w+) = \[\]$', open(os.path.join(bench, "connectors", "Cargo.toml")).read(), re.M))
env = dict(os.environ, CARGO_INCREMENTAL="0", CARGO_TARGET_DIR=os.path.join(bench, "target"))
env.pop("RUSTFLAGS", None)

def features(count):
    if count == "all":
        return []
    n = int(count)
    chosen = [modules[(2 * i + 1) * len(modules) // (2 * n)] for i in range(n)]
    return ["--no-default-features", "--features", ",".join(chosen)]

def cargo(mode, count):
    return ["cargo", mode, "--offline", "-q", "--manifest-path", manifest, "-p", "tray-connectors"] + features(count)

def tree_rss_kb(root):
    """Sum of VmRSS over `root` and its descendants, in kB."""
    parents, rss = {}, {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            parents[int(pid)] = int(fields[1])
            rss[int(pid)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, IndexError, ValueError):
            pass
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(child for child, parent in parents.items() if parent == pid)
    return total

def measure(command):
    """(wall s, user+sys s, max RSS kB of one process, sampled tree RSS kB)."""
    out = os.path.join(bench, "time.out")
    process = subprocess.Popen(["/usr/bin/time", "-o", out, "-f", "%e %U %S %M"] + command, env=env)
    peak = [0]
    def sample():
        while process.poll() is None:
            peak[0] = max(peak[0], tree_rss_kb(process.pid))
            time.sleep(0.02)
    sampler = threading.Thread(target=sample)
    sampler.start()
    process.wait()
    sampler.join()
    if process.returncode != 0:
        sys.exit(f"{' '.join(command)} failed")
    wall, user, system, maxrss = open(out).read().split()[-4:]
    return float(wall), float(user) + float(system), int(maxrss), peak[0]

def load():
    return open("/proc/loadavg").read().split()[:3]

# Dependencies first, so that every timed run compiles the generated crate only.
for mode in modes:
    subprocess.run(cargo(mode, "all"), env=env, check=True)
    subprocess.run(cargo(mode, "1"), env=env, check=True)

rows = []
for mode in modes:
    for count in counts:
        before = load()
        samples = []
        for _ in range(runs):
            os.utime(lib_rs)
            samples.append(measure(cargo(mode, count)))
        after = load()
        walls = [s[0] for s in samples]
        median = [statistics.median(s[i] for s in samples) for i in range(4)]
        n = len(modules) if count == "all" else int(count)
        rows.append((mode, n, median, min(walls), max(walls), before, after))
        print(f"cargo {mode}, {n} connectors: wall {walls}, load {' '.join(before)} -> {' '.join(after)}", file=sys.stderr)

print(f"{runs} runs each, medians; {len(modules)} connectors generated; `nproc` {os.cpu_count()}; "
      f"{time.strftime('%Y-%m-%d %H:%M')}")
print()
print("| command | connectors | wall | wall min – max | user+sys CPU | max RSS (rustc) | tree RSS (sampled) | load avg before → after |")
print("|---|---:|---:|---:|---:|---:|---:|---|")
for mode, n, (wall, cpu, maxrss, tree), low, high, before, after in rows:
    print(f"| `cargo {mode}` | {n} | {wall:.2f} s | {low:.2f} – {high:.2f} s | {cpu:.2f} s | "
          f"{maxrss / 1024:.0f} MB | {tree / 1024:.0f} MB | {before[0]} → {after[0]} |")
EOF
