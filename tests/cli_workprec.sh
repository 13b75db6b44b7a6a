# Work-precision end to end: every stored task carries its CPU time (not in
# its key: the same task file is reused), results.json has the cost per point
# and the fitted cost exponent per axis, mfh report re-renders the same cost
# from the store, a study folder gets work-precision.gp (+ .png) and the run
# folder joins the studies that compare methods (here the same theorem, axis
# and measure); a store written before CPU time was recorded still reports.
source "$(dirname "$0")/clilib.sh"
cd "$T"
study="$MFH_SOURCE_DIR/tests/data/small2d.yaml"
sed -e 's/^id: small2d/id: small2d-b/' -e 's/^seed: 11/seed: 12/' "$study" >b.yaml
"$MFH" run "$study" b.yaml --out r --quiet --jobs 2
n=$(ls r/small2d/tasks/*.json | wc -l)
withcpu=$(grep -l '"cpu_s": ' r/small2d/tasks/*.json | wc -l)
expect_eq "$withcpu" "$n" "every stored task has its cpu_s ($n tasks)"
j=r/small2d/results.json
cost() { sed -n '/^  "cost": /,$p' "$1"; }
expect_contains "$(cost $j)" '"basis": "cpu_s"' "results.json: the cost basis"
ex=$(cost $j | sed -n 's/^ *"exponent": \([^,]*\),*/\1/p' | head -1)
if awk -v e="$ex" 'BEGIN { exit !(e > 0 && e < 4) }'; then ok "cost exponent along N is finite and positive ($ex)"; else bad "cost exponent '$ex'"; fi
expect_eq "$(cost $j | grep -c '"cpu_s": [0-9]')" 4 "results.json: CPU seconds at the 4 points"
before=$(cost $j)
"$MFH" report r --quiet
expect_eq "$(cost $j)" "$before" "mfh report: the same cost, read from the store"
for f in work-precision.gp work-precision.dat; do
  [ -s r/small2d/$f ] && ok "study folder has $f" || bad "study folder lacks $f"
  [ -s r/$f ] && ok "run folder has $f" || bad "run folder lacks $f"
done
if command -v gnuplot >/dev/null; then
  [ -s r/small2d/work-precision.png ] && ok "study work-precision.png drawn" || bad "no study work-precision.png"
  [ -s r/work-precision.png ] && ok "run work-precision.png drawn" || bad "no run work-precision.png"
fi
expect_contains "$(cat r/work-precision.gp)" 'set title "FG-1: wpp along N"' "run set: the comparison"
expect_contains "$(cat r/work-precision.gp)" 'title "small2d (cost ∝ N^{' "run set: first method"
expect_contains "$(cat r/work-precision.gp)" 'title "small2d-b (cost ∝ N^{' "run set: second method"
# the task key does not hold the time: a rerun reuses every stored task
out=$("$MFH" run "$study" --out r --jobs 2 2>&1)
expect_eq "$(grep -c '"cached": 48' r/small2d/results.json)" 1 "rerun: every task reused"
# a store from before cpu_s: no cost, still a report
sed -i '/"cpu_s"/d' r/small2d/tasks/*.json
set +e; "$MFH" report r --quiet; rc=$?; set -e
expect_eq "$rc" 0 "old store: report exit 0"
expect_contains "$(cost $j)" '"exponent": null' "old store: no cost exponent"
expect_contains "$(cat r/small2d/work-precision.gp)" "no cost data" "old store: the plot says so"
finish
