# Helpers for the CLI tests (sourced).  MFH is the binary, MFH_SOURCE_DIR the tree.
set -euo pipefail
: "${MFH:?set MFH to the mfh binary}"
: "${MFH_SOURCE_DIR:?set MFH_SOURCE_DIR}"
T=$(mktemp -d /tmp/mfh-cli-XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
passes=0
ok() { passes=$((passes + 1)); echo "ok: $*"; }
bad() { fails=$((fails + 1)); echo "FAIL: $*"; }
expect_eq() { if [ "$1" = "$2" ]; then ok "$3"; else bad "$3 (got '$1', wanted '$2')"; fi; }
expect_contains() { if grep -qF -- "$2" <<<"$1"; then ok "$3"; else bad "$3: output lacks '$2':"$'\n'"$1"; fi; }
# Task values of a run folder, one line per task (file name + values), timing dropped.
task_values() {
  for f in "$1"/tasks/*.json; do
    printf '%s ' "$(basename "$f")"
    tr -d '\n ' <"$f" | sed -e 's/.*"values":{\([^}]*\)}.*/\1/'
    echo
  done | sort
}
finish() {
  echo "$passes passed, $fails failed"
  [ "$fails" -eq 0 ]
}
# results.json without what depends on how the results were obtained (file
# path, cached / run counts, timing; "cost", the timings per point, comes last).
results_core() { grep -vE '^ *"(file|cached|run|elapsed_s|cpu_s)":' "$1" | sed '/^  "cost": /,$d'; }
# same_results A B ID: study ID has the same task values and results in run folders A and B.
same_results() {
  [ -s "$1/$3/results.json" ] && [ -s "$2/$3/results.json" ] &&
    diff <(task_values "$1/$3") <(task_values "$2/$3") >/dev/null &&
    diff <(results_core "$1/$3/results.json") <(results_core "$2/$3/results.json") >/dev/null
}
# Fail the test (with a hint) when a program it needs is missing.
need() {
  for p in "$@"; do
    command -v "$p" >/dev/null || { bad "$p not found (./build.sh installs the Debian packages the tests need)"; finish; exit 1; }
  done
}
# Seconds since a time taken from $EPOCHREALTIME, one decimal.
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
