#!/usr/bin/env bash
# Quality benchmark: Atlas presets beside plain BM25 and code-only BM25 on the shared
# localization sets (../shared/bench, see its README for the one-time set-up: mirrors, venv,
# cases), or the held-out figures of the tuning (scripts/tune.py).
#
# Usage: scripts/quality.sh [--set shared|wide|sympy|swe] [--every N] [--budget] [PRESET...] [-- run_eval args...]
#        scripts/quality.sh --heldout [tune.py fit args...]
#   --set     which cases: shared (.cache/cases.jsonl, the default), wide (.cache/wide.jsonl,
#             22 more repositories), sympy (issues-sympy.jsonl, real bug reports) or swe
#             (.cache/swe.jsonl, SWE-bench reports of 8 more repositories: scripts/swe_cases.py)
#   --every   sympy: every Nth case only (default 4; 1 for all 130)
#   --budget  also run each preset with its own budget (what `atlas quick` returns), beside
#             its ranking (no budget, the default)
#   --heldout dump every case once (skips cases already dumped) and print the cross-validated
#             figures: each repository scored by defaults fitted without it
# Example: scripts/quality.sh --set wide fast balanced deep -- --limit 10
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bench="${BENCH:-$here/../shared/bench}"
atlas="${ATLAS:-$(command -v atlas || echo "$here/.venv/bin/atlas")}"
python="${PYTHON:-$here/.venv/bin/python}"
if [ "${1:-}" = "--heldout" ]; then
    shift
    "$python" "$here/scripts/tune.py" --bench "$bench" dump
    exec "$python" "$here/scripts/tune.py" --bench "$bench" fit "$@"
fi
set_name=shared
every=4
budget=0
presets=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    case "$1" in
        --set) set_name="$2"; shift 2 ;;
        --every) every="$2"; shift 2 ;;
        --budget) budget=1; shift ;;
        *) presets+=("$1"); shift ;;
    esac
done
[ "${1:-}" = "--" ] && shift
[ ${#presets[@]} -eq 0 ] && presets=(balanced)
extra=()
case "$set_name" in
    shared) cases=.cache/cases.jsonl ;;
    wide) cases=.cache/wide.jsonl ;;
    swe) cases=.cache/swe.jsonl ;;
    sympy)
        cases=issues-sympy.jsonl
        ids="$(python3 -c 'import json,sys; ids=[json.loads(l)["id"] for l in open(sys.argv[1]) if l.strip()]; print(",".join(ids[::int(sys.argv[2])]))' "$bench/$cases" "$every")"
        extra=(--ids "$ids") ;;
    *) echo "quality.sh: unknown set '$set_name' (shared, wide, sympy or swe)" >&2; exit 2 ;;
esac
systems=(--system "bm25_code={bench}/.venv/bin/python $here/scripts/tune.py --bench {bench} baseline --code --root {root} --query-file {query_file} --top {top}")
for p in "${presets[@]}"; do
    systems+=(--system "atlas-$p=$atlas --root {root} quick {query} -p $p --format jsonl --top {top} --max-tokens 0 --max-bytes 1000000000 --min-score 0")
    if [ "$budget" = 1 ]; then
        systems+=(--system "atlas-$p-budget=$atlas --root {root} quick {query} -p $p --format jsonl --top {top}")
    fi
done
cd "$bench"
exec python3 run_eval.py --cases "$cases" --baselines "${systems[@]}" "${extra[@]}" "$@"
