# mfh run --history appends (two runs at once into a fresh file), the
# documented schema is queryable with sqlite3, and mfh history flags a drift
# planted into a history built from a real run with plain SQL.
source "$(dirname "$0")/clilib.sh"
need sqlite3
cd "$T"
study="$MFH_SOURCE_DIR/tests/data/small2d.yaml"
# two runs appending at once to a file that does not exist yet
"$MFH" run "$study" --out a --jobs 1 --quiet --no-render --history h.db &
p1=$!
"$MFH" run "$study" --out b --jobs 1 --quiet --no-render --history h.db --seed 7 &
p2=$!
r1=0; r2=0
wait $p1 || r1=$?
wait $p2 || r2=$?
expect_eq "$r1 $r2" "0 0" "two runs with --history at once both exit 0"
expect_eq "$(sqlite3 h.db 'SELECT count(*) FROM runs')" 2 "both runs are in the history"
expect_eq "$(sqlite3 h.db "SELECT count(DISTINCT run_id) FROM checks WHERE study = 'small2d' AND name = 'rate[N] wpp'")" 2 \
  "each run has its check row"
expect_eq "$(sqlite3 h.db 'PRAGMA journal_mode')" wal "the history is in WAL mode"
# what docs/history.md shows: the slope of a check over runs
rows=$(sqlite3 h.db "SELECT r.run_id, c.verdict, c.value < 0, c.lo < c.value AND c.value < c.hi FROM checks c JOIN runs r USING (run_id) WHERE c.study = 'small2d' ORDER BY r.run_id")
# the verdicts as each run's results.json has them (which run got id 1 is a race)
va=$(sqlite3 :memory: "SELECT json_extract(readfile('a/small2d/results.json'), '\$.checks[0].verdict')")
vb=$(sqlite3 :memory: "SELECT json_extract(readfile('b/small2d/results.json'), '\$.checks[0].verdict')")
got=$(tr '\n' ' ' <<<"$rows")
if [ "$got" = "1|$va|1|1 2|$vb|1|1 " ] || [ "$got" = "1|$vb|1|1 2|$va|1|1 " ]; then
  ok "the documented query reads verdict, slope and interval"
else
  bad "the documented query reads verdict, slope and interval (got '$got', verdicts $va, $vb)"
fi

# a synthetic history: run 1 copied nine times, identical (no drift) ...
sqlite3 h.db "DELETE FROM numbers WHERE run_id = 2; DELETE FROM checks WHERE run_id = 2;
  DELETE FROM studies WHERE run_id = 2; DELETE FROM runs WHERE run_id = 2;
  UPDATE studies SET solver_s = 10, tasks_run = 48;"
cp h.db quiet.db
sqlite3 quiet.db "WITH RECURSIVE k(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM k WHERE i < 10)
  INSERT INTO runs SELECT i, printf('2026-01-%02dT03:00:00Z', i), printf('c%d', i), mfh_version, machine, cpus,
    profile, wall_s, exit_code FROM runs, k WHERE run_id = 1;
  INSERT INTO studies SELECT r.run_id, s.study, s.theorem, s.title, s.verdict, s.tasks, s.tasks_run, s.tasks_failed,
    s.solver_s FROM studies s, runs r WHERE s.run_id = 1 AND r.run_id > 1;
  INSERT INTO checks SELECT r.run_id, c.study, c.name, c.kind, c.verdict, c.value, c.lo, c.hi, c.summary
    FROM checks c, runs r WHERE c.run_id = 1 AND r.run_id > 1;"
rc=0
"$MFH" history quiet.db --out quiet >quiet.txt 2>&1 || rc=$?
expect_eq "$rc" 0 "ten identical runs: exit 0"
expect_contains "$(cat quiet.txt)" "10 runs, 1 study, 1 check; 0 drift flags" "ten identical runs: no drift flag"
# ... then plant: from run 8 on the slope is three interval widths higher, and run 10 is 3x slower
cp quiet.db planted.db
sqlite3 planted.db "UPDATE checks SET value = value + 3 * (hi - lo), lo = lo + 3 * (hi - lo), hi = hi + 3 * (hi - lo)
    WHERE run_id >= 8;
  UPDATE studies SET solver_s = 30 WHERE run_id = 10;"
rc=0
"$MFH" history planted.db --out page >planted.txt 2>&1 || rc=$?
expect_eq "$rc" 1 "the planted history: exit 1 (the latest run drifted)"
expect_contains "$(cat planted.txt)" "2 drift flags (1 in the latest run)" "two flags, one in the latest run"
expect_contains "$(grep 'run #8 ' planted.txt)" "moved    small2d rate[N] wpp" "the moved slope is flagged at run 8"
expect_contains "$(grep 'run #10 .* slower ' planted.txt)" "3.00x the median" "the slower run 10 is flagged"
expect_contains "$(cat page/index.html)" "The latest run (#10) drifted" "the page says the latest run drifted"
if [ "$(head -c 8 page/small2d/plot.png | od -An -c | tr -d ' \n')" = '211PNG\r\n032\n' ]; then
  ok "the trend plot is a PNG"
else
  bad "no trend plot PNG: $(ls -l page/small2d 2>&1)"
fi

# bad input: exit 2 with the file named, and nothing run
echo "just text, not a database, long enough for sqlite to read a header" >notadb.db
rc=0
out=$("$MFH" history notadb.db 2>&1) || rc=$?
expect_eq "$rc" 2 "mfh history on a text file exits 2"
expect_contains "$out" "notadb.db: not an mfh history" "... and names the file"
rc=0
out=$("$MFH" run "$study" --out never --history notadb.db 2>&1) || rc=$?
expect_eq "$rc" 2 "mfh run --history with a bad file exits 2"
[ -e never ] && bad "mfh run wrote reports before refusing the history file" || ok "... before running anything"
rc=0
out=$("$MFH" run "$study" --out never --shard 1/2 --history x.db 2>&1) || rc=$?
expect_eq "$rc" 2 "--history with --shard is refused (mfh report --history after the shards)"
rc=0
out=$("$MFH" run "$study" --out never --history no/such/folder/h.db 2>&1) || rc=$?
expect_eq "$rc" 2 "--history in a folder that does not exist is refused before running"
expect_contains "$out" "no/such/folder is not a writable folder" "... naming the folder"
rc=0
out=$("$MFH" history missing.db 2>&1) || rc=$?
expect_eq "$rc" 2 "a missing history file exits 2"
finish
