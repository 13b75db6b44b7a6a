# A run killed with SIGKILL resumes: stored tasks are kept (not recomputed),
# and the final results equal an uninterrupted run with another --jobs.
source "$(dirname "$0")/clilib.sh"
cd "$T"
sed -e 's/N: \[32, 64, 128, 256\]/N: [300, 600, 900]/' -e 's/replicas: 12/replicas: 60/' \
  "$MFH_SOURCE_DIR/tests/data/small2d.yaml" >slow.yaml
"$MFH" run slow.yaml --out killed --jobs 1 --quiet --no-render >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  n=$(ls killed/small2d/tasks 2>/dev/null | grep -c '\.json$' || true)
  [ "$n" -ge 5 ] && break
  sleep 0.05
done
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
stored=$(ls killed/small2d/tasks | grep -c '\.json$' || true)
if [ "$stored" -ge 5 ] && [ "$stored" -lt 180 ]; then ok "killed mid-run with $stored/180 tasks stored"; else bad "kill timing: $stored tasks stored"; fi
ls -l --time-style=+%s.%N killed/small2d/tasks/*.json | awk '{print $6, $7}' | sort >before.txt
# what a kill -9 in the middle of a write leaves: temporaries named NAME.tmp.HOST.PID
# (host names may hold dots, or be empty) or NAME.tmp.PID (older runs); a file
# that merely contains ".tmp." is not one
stale="killed/small2d/tasks/0a.json.tmp.node1.cluster.4242 killed/small2d/tasks/0b.json.tmp..77 killed/small2d/run.json.tmp.4243"
for f in $stale killed/small2d/notes.tmp.txt; do echo partial >"$f"; done
"$MFH" run slow.yaml --out killed --jobs 2 --quiet --no-render >/dev/null
left=""
for f in $stale; do [ -e "$f" ] && left="$left $f"; done
expect_eq "$left" "" "the resumed run removes the killed run's temporaries"
[ -e killed/small2d/notes.tmp.txt ] && ok "... and keeps a file that only looks like one" || bad "notes.tmp.txt was removed"
total=$(ls killed/small2d/tasks | grep -c '\.json$')
expect_eq "$total" 180 "resumed run completes every task"
ls -l --time-style=+%s.%N killed/small2d/tasks/*.json | awk '{print $6, $7}' | sort >after.txt
kept=$(comm -12 before.txt after.txt | wc -l)
expect_eq "$kept" "$(wc -l <before.txt)" "tasks stored before the kill are not recomputed"
"$MFH" run slow.yaml --out clean --jobs 1 --quiet --no-render >/dev/null
if diff <(task_values killed/small2d) <(task_values clean/small2d) >/dev/null; then
  ok "resumed results are identical to an uninterrupted run (jobs 1 vs 2)"
else
  bad "resumed results differ from an uninterrupted run"
fi
# --fresh recomputes everything, to the same values
"$MFH" run slow.yaml --out clean --jobs 2 --quiet --no-render --fresh >/dev/null
if diff <(task_values killed/small2d) <(task_values clean/small2d) >/dev/null; then
  ok "--fresh recomputes identical values"
else
  bad "--fresh changed values"
fi
finish
