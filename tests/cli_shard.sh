# --shard I/N splits the tasks; mfh report merges the shards into the same
# results (and the same verdict table) as a single run.
source "$(dirname "$0")/clilib.sh"
cd "$T"
study="$MFH_SOURCE_DIR/tests/data/small2d.yaml"
"$MFH" run "$study" --out single --jobs 2 --quiet --no-render
"$MFH" run "$study" --out single >single.txt 2>&1 --no-render
"$MFH" run "$study" --out s1 --shard 1/2 --jobs 1 --quiet --no-render
"$MFH" run "$study" --out s2 --shard 2/2 --jobs 2 --quiet --no-render
n1=$(ls s1/small2d/tasks | wc -l); n2=$(ls s2/small2d/tasks | wc -l)
expect_eq "$((n1 + n2))" 48 "the two shards together run every task once"
if [ "$n1" -gt 0 ] && [ "$n2" -gt 0 ]; then ok "both shards did work ($n1 + $n2)"; else bad "a shard was empty"; fi
"$MFH" report s1 s2 --out merged --no-render >merged.txt 2>&1
diff <(grep -E 'PASS|FAIL|INCONCLUSIVE' single.txt) <(grep -E 'PASS|FAIL|INCONCLUSIVE' merged.txt) >/dev/null &&
  ok "merged verdict table equals the single run's" || bad "merged verdicts differ:"$'\n'"$(cat single.txt merged.txt)"
cat s1/small2d/tasks/*.json s2/small2d/tasks/*.json >/dev/null
mkdir -p union/tasks && cp s1/small2d/tasks/*.json s2/small2d/tasks/*.json union/tasks/
if diff <(task_values union) <(task_values single/small2d) >/dev/null; then
  ok "shard task results are identical to the single run's"
else
  bad "shard task results differ"
fi
for f in results.json summary.md; do
  [ -s "merged/small2d/$f" ] && ok "merged report has $f" || bad "merged report lacks $f"
done
finish
