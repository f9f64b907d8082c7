#!/usr/bin/env bash
# Wraps every schema of the corpus (../shared/corpus) as a Tray service snapshot in OUT_DIR,
# one <service>-1.json each (the format `tray-codegen fetch` writes), so that fake-tray can
# serve them:
#
#   scripts/corpus-snapshots.sh /tmp/corpus-tray
#   cargo run -p fake-tray -- --schemas /tmp/corpus-tray --master-token TOKEN
#
# Reruns write the same bytes. The end-to-end test importer/tests/import_corpus.rs does the
# same in a temporary folder.
set -euo pipefail
if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 OUT_DIR [CORPUS_DIR]" >&2
  exit 2
fi
cd "$(dirname "$0")/.."
exec cargo run -q -p tray-tests --bin corpus-snapshots -- "$@"
