# decided_at: a check inconclusive at a profile where its study expects pass
# or fail is marked undecided (summary, results.json, table, run.md), and
# --require-decided turns that into exit 1; before its profile, or for a
# labelled check (reported, not asserted), it is not.  A 3-point sweep with 3
# replicas is far too noisy to decide a slope, so every rate here is
# inconclusive: what varies is only the expectation.
source "$(dirname "$0")/clilib.sh"
cd "$T"
printf 'id: d1\ntitle: test\ntheorem: FG-1\nsystem: iid\nmodel: {law: uniform, dim: 1}\n' >d1.yaml
printf 'observable: {name: wp_law, p: 1}\nmeasure: [wp, wpp]\nsweep:\n  N: [16, 32, 64]\nreplicas: 3\n' >>d1.yaml
printf 'checks:\n  - rate: {proved: -1/2}\n  - rate: {proved: -1/2, label: "a literature rate"}\n' >>d1.yaml
printf '  - rate: {proved: -1/2, decided_at: nightly}\n' >>d1.yaml

verdicts() { # name verdict decided_at undecided, one line per check
  python3 -c 'import json,sys
for c in json.load(open(sys.argv[1]))["checks"]:
    print(c["name"], c["verdict"], c["decided_at"], c["undecided"])' "$1"
}

set +e; out=$("$MFH" run d1.yaml --out q --no-render --jobs 1 2>&1); rc=$?; set -e
expect_eq "$rc" 0 "quick: undecided alone does not change the exit status"
expect_eq "$(verdicts q/d1/results.json)" "rate[N] wp inconclusive quick True
rate[N] wp #2 inconclusive None False
rate[N] wp #3 inconclusive nightly False" "quick: only the default (quick) expectation falls short"
expect_contains "$out" "[undecided at quick: the study expects pass or fail from quick on]" "the summary says so"
expect_contains "$out" "1 of the inconclusive is undecided where the study expects pass or fail (decided_at)" \
  "the table's totals count it"
expect_contains "$(cat q/summary.md)" "1 of the inconclusive is undecided" "summary.md counts it"
expect_contains "$(cat q/index.html)" "1 of the inconclusive is undecided" "index.html counts it"

set +e; out=$("$MFH" run d1.yaml --out q --no-render --quiet --require-decided 2>&1); rc=$?; set -e
expect_eq "$rc" 1 "--require-decided: exit 1"
expect_contains "$out" "--require-decided: 1 check is undecided where the study expects pass or fail" "and why"

set +e; "$MFH" run d1.yaml --out n --profile nightly --no-render --quiet --require-decided 2>/dev/null; rc=$?; set -e
expect_eq "$rc" 1 "nightly --require-decided: exit 1"
expect_eq "$(verdicts n/d1/results.json)" "rate[N] wp inconclusive quick True
rate[N] wp #2 inconclusive None False
rate[N] wp #3 inconclusive nightly True" "nightly: the nightly expectation falls short too, the labelled rate never"

sed -i 's/  - rate: {proved: -1\/2}$/  - rate: {proved: -1\/2, decided_at: full}/' d1.yaml
set +e; "$MFH" run d1.yaml --out q2 --no-render --quiet --require-decided 2>/dev/null; rc=$?; set -e
expect_eq "$rc" 0 "no expectation at quick: --require-decided exits 0"

set +e; "$MFH" report q --no-render --quiet --require-decided 2>/dev/null; rc=$?; set -e
expect_eq "$rc" 1 "mfh report --require-decided judges the stored run the same way"

sed -i 's/decided_at: full/decided_at: weekly/' d1.yaml
set +e; out=$("$MFH" validate d1.yaml 2>&1); rc=$?; set -e
expect_eq "$rc" 2 "an unknown profile is bad input"
expect_contains "$out" "d1.yaml:12:38: checks[1].rate.decided_at: must be quick, nightly or full" "named at its line and column"
finish
