# The default suite (quick profile) as a test: every check must pass or be
# inconclusive (exit 0), the regression baselines in expected/ must match,
# and a tampered baseline must make the expected check fail (exit 1).
source "$(dirname "$0")/clilib.sh"
cd "$MFH_SOURCE_DIR"
set +e
out=$("$MFH" run studies --profile quick --out "$T/suite" --no-render --quiet 2>&1); rc=$?
set -e
expect_eq "$rc" 0 "quick suite exit status"
summary=$(cat "$T/suite/summary.md")
if grep -q '| expected .*\*\*INCONCLUSIVE\*\*' <<<"$summary"; then bad "a study has no blessed baseline"; else ok "every expected check has a baseline"; fi
if grep -q '\*\*FAIL\*\*\|\*\*ERROR\*\*' <<<"$summary"; then bad "a check failed:"$'\n'"$summary"; else ok "no check failed"; fi
n=$(grep -c '\*\*PASS\*\*' <<<"$summary" || true)
if [ "$n" -ge 20 ]; then ok "$n checks pass"; else bad "only $n checks pass"; fi
# a second run reuses every stored task, derived measures included (they are
# computed after loading, never stored)
out=$("$MFH" run studies/coulomb/cep2-sheet-quantile.yaml --profile quick --out "$T/suite" --no-render --quiet 2>&1)
if grep -q 'failed verification' <<<"$out"; then bad "stored tasks recomputed: $out"; else ok "no stored task recomputed"; fi
if grep -q '"run": 0,' "$T/suite/cep2-sheet-quantile/results.json"; then ok "every task of a study with derive: reused"; else bad "a task of a study with derive was recomputed"; fi
# a wrong baseline is caught
mkdir -p "$T/exp"
sed 's/"mean": \[/"mean": [1.5, /' expected/example-euler-command.json >"$T/exp/example-euler-command.json"
set +e
out=$("$MFH" run studies/examples/euler-command.yaml --out "$T/tamper" --expected "$T/exp" --no-render 2>&1); rc=$?
set -e
expect_eq "$rc" 1 "tampered baseline: exit 1"
expect_contains "$out" "differ from expected/" "tampered baseline: message"
finish
