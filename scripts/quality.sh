#!/usr/bin/env bash
# Quality benchmark: Atlas presets beside the plain-BM25 baseline on the shared localization
# set (../shared/bench, see its README for the one-time set-up: mirrors, venv, cases).
# Usage: scripts/quality.sh [PRESET...] [-- run_eval args...]   (default presets: balanced)
# Example: scripts/quality.sh fast balanced deep thorough -- --limit 20
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bench="${BENCH:-$here/../shared/bench}"
atlas="${ATLAS:-$(command -v atlas || echo "$here/.venv/bin/atlas")}"
presets=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do presets+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ ${#presets[@]} -eq 0 ] && presets=(balanced)
systems=()
for p in "${presets[@]}"; do
    systems+=(--system "atlas-$p=$atlas --root {root} quick {query} -p $p --format jsonl --top {top} --max-tokens 0 --max-bytes 1000000000 --min-score 0")
done
cd "$bench"
exec python3 run_eval.py --cases .cache/cases.jsonl --baselines "${systems[@]}" "$@"
