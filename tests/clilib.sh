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
