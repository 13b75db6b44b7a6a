# Bad input and usage: exit 2, a file:line:col message, nothing written.
source "$(dirname "$0")/clilib.sh"
cd "$T"
good="$MFH_SOURCE_DIR/tests/data/small2d.yaml"
sed 's/replicas: 12/replicas: -3/' "$good" >bad.yaml
set +e
out=$("$MFH" run "$good" bad.yaml --out run1 --no-render 2>&1); rc=$?
set -e
expect_eq "$rc" 2 "bad study: exit 2"
expect_contains "$out" "bad.yaml:11:11: replicas: must be an integer in [1, 10000000] (got -3)" "bad study: message"
if [ -e run1 ]; then bad "bad study: nothing written (run1 exists)"; else ok "bad study: nothing written"; fi

printf 'id: x\ntitle: [\n' >broken.yaml
set +e; out=$("$MFH" validate broken.yaml 2>&1); rc=$?; set -e
expect_eq "$rc" 2 "not YAML: exit 2"
expect_contains "$out" "broken.yaml:3:1: not valid YAML" "not YAML: message"

set +e; out=$("$MFH" validate "$good" 2>&1); rc=$?; set -e
expect_eq "$rc" 0 "validate good study"

for args in "run --jobs 0 $good" "run --shard 3/2 $good" "run --profile huge $good" "frobnicate" "run" "list widgets" "run $good --bogus"; do
  set +e; out=$("$MFH" $args 2>&1); rc=$?; set -e
  expect_eq "$rc" 2 "usage error: mfh $args"
done
set +e; out=$("$MFH" run /no/such/file.yaml 2>&1); rc=$?; set -e
expect_eq "$rc" 2 "missing file: exit 2"
expect_contains "$out" "/no/such/file.yaml: no such file or folder" "missing file: message"

for sub in run validate list report bless metric fit; do
  set +e; out=$("$MFH" $sub --help 2>&1); rc=$?; set -e
  expect_eq "$rc" 0 "mfh $sub --help"
  expect_contains "$out" "usage: mfh $sub" "mfh $sub --help text"
done
expect_contains "$("$MFH" --version)" "mfh " "--version"
expect_contains "$("$MFH" list solvers)" "N            int" "list solvers prints the parameter table"
finish
