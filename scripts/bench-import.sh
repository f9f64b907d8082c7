#!/usr/bin/env bash
# Bulk import benchmark: rows a second of `tray-import run` against fake-tray with its limits
# off, beside wrk posting the same body to the same endpoint in the same run, and the peak
# memory (max RSS) of `tray-import` over a 1,000,000-row input.
#
#   scripts/bench-import.sh                # everything (about 10 minutes on 2 cores)
#   ROWS=20000 BIG_ROWS=0 scripts/bench-import.sh   # throughput only
#
# Everything runs on this machine, on loopback: fake-tray, tray-import and wrk share its
# cores, so the numbers compare the importer with a bare HTTP load tool, not with Tray (whose
# limit is 30 requests a second: a real import of a million rows takes about nine hours).
set -euo pipefail

ROWS=${ROWS:-50000}               # rows for the throughput runs
BIG_ROWS=${BIG_ROWS:-1000000}     # rows for the memory run (0: skip it)
USERS=${USERS:-100}
CONCURRENCY=${CONCURRENCY:-32}
WRK_SECONDS=${WRK_SECONDS:-10}
PORT=${PORT:-8791}
TOKEN=bench-master-token
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$(mktemp -d)
BASE=http://127.0.0.1:$PORT
FAKE_PID=

cleanup() {
    if [ -n "$FAKE_PID" ]; then kill "$FAKE_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

say() { printf '\n== %s\n' "$*"; }

if ! command -v wrk >/dev/null; then
    say "installing wrk"
    (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
fi

say "building (release)"
(cd "$ROOT" && cargo build --release -q -p tray-import -p fake-tray)
IMPORT=$TARGET/release/tray-import
FAKE=$TARGET/release/fake-tray

say "machine"
echo "nproc: $(nproc)"
grep -m1 'model name' /proc/cpuinfo | sed 's/.*: /cpu: /'
free -h | awk '/Mem:/ {print "memory: " $2}'
uname -sr
"$IMPORT" --version
wrk --version 2>&1 | head -1 || true

start_fake() {
    if [ -n "$FAKE_PID" ]; then kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null || true; fi
    RUST_LOG=warn "$FAKE" --schemas "$ROOT/schemas" --addr "127.0.0.1:$PORT" \
        --master-token "$TOKEN" 2>"$WORK/fake.log" &
    FAKE_PID=$!
    for _ in $(seq 100); do
        curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "$BASE/core/v1/connectors" && return
        sleep 0.1
    done
    echo "fake-tray did not start" >&2; exit 1
}

# Mailchimp rows spread over $USERS end users; each credential is the same size as the body
# wrk posts.
rows() {
    awk -v n="$1" -v users="$USERS" 'BEGIN {
        for (i = 1; i <= n; i++)
            printf "{\"externalUserId\":\"user-%d\",\"connector\":\"mailchimp\",\"serviceEnvironment\":\"Production\",\"name\":\"Mailchimp %d\",\"credentials\":{\"access_token\":\"bench-token-%08d-us21\",\"dc\":\"us21\",\"expires_in\":3600}}\n", i % users, i, i
    }'
}

graphql() {
    curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/graphql" -d "{\"query\": \"$1\"}"
}

say "throughput: $ROWS rows, concurrency $CONCURRENCY, fake-tray with no limits"
start_fake
rows "$ROWS" > "$WORK/rows.jsonl"
TRAY_MASTER_TOKEN=$TOKEN "$IMPORT" run --input "$WORK/rows.jsonl" --base-url "$BASE/core/v1" \
    --concurrency "$CONCURRENCY" --rate-limit 1000000 --burst 1000000 \
    --journal "$WORK/rows.journal" --report "$WORK/rows.report" | tee "$WORK/import.out"

say "wrk: the same body to POST /core/v1/authentications, $CONCURRENCY connections, ${WRK_SECONDS}s"
USER_ID=$(graphql 'mutation { createExternalUser(input: {name: \"wrk\", externalUserId: \"wrk\"}) { userId } }' \
    | sed 's/.*"userId":"\([^"]*\)".*/\1/')
USER_TOKEN=$(graphql "mutation { authorize(input: {userId: \\\"$USER_ID\\\"}) { accessToken } }" \
    | sed 's/.*"accessToken":"\([^"]*\)".*/\1/')
cat > "$WORK/post.lua" <<EOF
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $USER_TOKEN"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"name":"Mailchimp 1","serviceEnvironmentId":"474a5f3e-1c2d-4b6a-9e8f-0a1b90088d70","credentials":{"access_token":"bench-token-00000001-us21","dc":"us21","expires_in":3600},"userData":{},"scopes":[]}'
EOF
wrk -t2 -c"$CONCURRENCY" -d"${WRK_SECONDS}s" -s "$WORK/post.lua" "$BASE/core/v1/authentications" \
    | tee "$WORK/wrk.out"

if [ "$BIG_ROWS" -gt 0 ]; then
    say "peak memory: $BIG_ROWS rows (a fresh fake-tray)"
    start_fake
    rows "$BIG_ROWS" > "$WORK/big.jsonl"
    ls -l "$WORK/big.jsonl" | awk '{printf "input: %.0f MB\n", $5 / 1e6}'
    /usr/bin/time -v "$IMPORT" run --input "$WORK/big.jsonl" --dry-run --report "$WORK/big.dry" \
        > "$WORK/dry.out" 2> "$WORK/dry.time"
    head -1 "$WORK/dry.out"
    grep -E 'Maximum resident|Elapsed' "$WORK/dry.time" | sed 's/^\s*/dry run: /'
    TRAY_MASTER_TOKEN=$TOKEN /usr/bin/time -v "$IMPORT" run --input "$WORK/big.jsonl" \
        --base-url "$BASE/core/v1" --concurrency "$CONCURRENCY" --rate-limit 1000000 --burst 1000000 \
        --journal "$WORK/big.journal" --report "$WORK/big.report" > "$WORK/big.out" 2> "$WORK/big.time"
    head -1 "$WORK/big.out"
    grep -E 'Maximum resident|Elapsed' "$WORK/big.time" | sed 's/^\s*/import: /'
    ls -l "$WORK/big.journal" | awk '{printf "journal: %.0f MB\n", $5 / 1e6}'
fi
