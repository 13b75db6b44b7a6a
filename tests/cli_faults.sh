# Fault injection: kill -9 at random moments, a full disk, damaged task
# files, a hanging and a flooding command, SIGTERM and kill -9 while a
# command runs, and concurrent runs on one folder.  Each must end with the
# correct results (equal to an undisturbed run) or a clear error with exit 3,
# and leave nothing half-written, running or lying around.
source "$(dirname "$0")/clilib.sh"
cd "$T"
export TMPDIR="$T/tmp" # the private folders of commands go here: it must end empty
mkdir -p "$TMPDIR"
sed -e 's/N: \[32, 64, 128, 256\]/N: [300, 600, 900]/' -e 's/replicas: 12/replicas: 60/' \
  "$MFH_SOURCE_DIR/tests/data/small2d.yaml" >slow.yaml
run() { "$MFH" run "$@" --no-render --quiet; }
t0=$(date +%s%N)
set +e; run slow.yaml --out clean --jobs 2 >clean.txt 2>&1; clean_rc=$?; set -e
clean_ms=$((($(date +%s%N) - t0) / 1000000))
expect_eq "$(ls clean/small2d/tasks | grep -c '\.json$')" 180 "undisturbed run: 180 tasks"
no_tmp() { ! find "$1" -name '*.tmp.*' | grep -q .; }
same_as_clean() { diff <(task_values "$1") <(task_values clean/small2d) >/dev/null; }

# ---- 1. kill -9 at random moments, then resume -------------------------------
# Each kill hits a run from an empty store at a random moment within the
# undisturbed run's duration (on a resumed store the run would finish before
# a late kill, on a fast machine most kills would miss), then the store is
# resumed and must equal the undisturbed run.
RANDOM=12 # reproducible moments; the machine's speed varies anyway
kills=0
kfail=0
span=$((clean_ms * 8 / 10 > 60 ? clean_ms * 8 / 10 : 60))
for i in 1 2 3 4 5 6 7; do
  "$MFH" run slow.yaml --out "killed$i" --jobs 2 --no-render --quiet >/dev/null 2>&1 &
  pid=$!
  ms=$((RANDOM % span + 30))
  sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
  if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
  wait "$pid" 2>/dev/null || true
  # whatever is stored verifies: a report over it never rejects a file
  set +e; rep=$("$MFH" report "killed$i" --out "rep$i" --no-render --quiet 2>&1); set -e
  if grep -q "failed verification" <<<"$rep"; then kfail=1; bad "kill $i after ${ms} ms: a stored task failed verification"$'\n'"$rep"; fi
  set +e; out=$(run slow.yaml --out "killed$i" --jobs 2 2>&1); rc=$?; set -e
  [ "$rc" = "$clean_rc" ] || { kfail=1; bad "kill $i after ${ms} ms: the resumed run exits $rc, the undisturbed one $clean_rc"; }
  if grep -q "failed verification" <<<"$out"; then kfail=1; bad "kill $i: resume found damaged task files: $out"; fi
  same_as_clean "killed$i/small2d" || { kfail=1; bad "kill $i after ${ms} ms: results after the resume differ from the undisturbed run's"; }
  no_tmp "killed$i" || { kfail=1; bad "kill $i: temporary files left: $(find "killed$i" -name '*.tmp.*')"; }
done
[ "$kills" -ge 4 ] && ok "kill -9 landed in a running mfh $kills times of 7 (undisturbed run: $clean_ms ms)" ||
  bad "only $kills of 7 kills landed in a running mfh (undisturbed run: $clean_ms ms)"
[ "$kfail" = 0 ] && ok "after each kill -9 the resumed run ends like the undisturbed one, equal results, no damaged or temporary file"

# ---- 2. a full disk ---------------------------------------------------------------
mkdir -p full
mounted=0
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=256k tmpfs full 2>/dev/null; then mounted=1; fi
if [ "$mounted" = 0 ] && command -v sudo >/dev/null && sudo -n mount -t tmpfs -o size=256k tmpfs full 2>/dev/null; then mounted=2; fi
if [ "$mounted" != 0 ]; then
  set +e; out=$(run slow.yaml --out full/o --jobs 2 2>&1); rc=$?; set -e
  expect_eq "$rc" 3 "full disk: exit 3"
  expect_contains "$out" "No space left on device" "full disk: the error says why"
  expect_contains "$out" "then the store failed" "full disk: the error says how far it got"
  stored=$(ls full/o/small2d/tasks | grep -c '\.json$' || true)
  if [ "$stored" -gt 0 ] && [ "$stored" -lt 180 ]; then ok "full disk: stopped after $stored tasks"; else bad "full disk: $stored tasks stored"; fi
  no_tmp full/o && ok "full disk: no half-written file" || bad "full disk: temporary files left"
  mkdir -p moved && cp -a full/o/small2d moved/
  if [ "$mounted" = 1 ]; then umount full; else sudo -n umount full; fi
  # on a disk with room the run finishes, every stored task verifies and is kept
  set +e; out=$(run slow.yaml --out moved --jobs 2 2>&1); rc=$?; set -e
  expect_eq "$rc" "$clean_rc" "full disk: resumed elsewhere, the run ends like the undisturbed one"
  if grep -q "failed verification" <<<"$out"; then bad "full disk: damaged task files: $out"; else ok "full disk: nothing stored was damaged"; fi
  same_as_clean moved/small2d && ok "full disk: results equal the undisturbed run's" || bad "full disk: results differ"
else
  echo "SKIP full disk: a tmpfs cannot be mounted here (needs root or sudo -n)"
fi

# ---- 3. damaged task files ------------------------------------------------------------
cp -a clean damaged
files=(damaged/small2d/tasks/*.json)
val() { tr -d '\n ' <"$1" | sed -e 's/.*"wpp":\([-0-9.e+]*\).*/\1/'; }
v=$(val "${files[0]}"); sed -i "s/$v/2$v/" "${files[0]}"                    # one digit more
v=$(val "${files[1]}"); sed -i "s/$v/1e300/" "${files[1]}"                   # an absurd value
sed -i 's/"wpp": [-0-9.e+]*,\{0,1\}//' "${files[2]}"                          # a measure removed
head -c 100 "${files[3]}" >x && mv x "${files[3]}"                            # truncated
printf 'garbage' >"${files[4]}"                                               # not JSON
cp "${files[6]}" "${files[5]}"                                                # another task's file
: >"${files[7]}"                                                              # empty
rm "${files[8]}"                                                              # missing
set +e; out=$(run slow.yaml --out damaged --jobs 2 2>&1); rc=$?; set -e
expect_eq "$rc" "$clean_rc" "damaged files: the run ends like the undisturbed one"
expect_contains "$out" "7 stored task files failed verification and were recomputed" "damaged files: the run says how many"
for why in "checksum mismatch" "a declared measure is missing" "not a readable task file" "belongs to another task"; do
  expect_contains "$out" "$why" "damaged files: the run says '$why'"
done
same_as_clean damaged/small2d && ok "damaged files: recomputed to the undisturbed values" || bad "damaged files: values differ"
cp clean/small2d/tasks/*.json damaged/small2d/tasks/
v=$(val "${files[0]}"); sed -i "s/$v/1e300/" "${files[0]}"
set +e; out=$("$MFH" report damaged --no-render --quiet 2>&1); set -e
expect_contains "$out" "1 stored task file failed verification and was left out" "damaged files: mfh report leaves them out and says so"

# ---- 4. a hanging and a flooding command --------------------------------------------
cat >hang.sh <<'EOF'
echo started >&2
sh -c 'sleep 1000; :' "$0-child" &
wait
EOF
cmd_study() { # ID CMD LIMITS
  cat <<EOF
id: $1
title: "$1"
theorem: DT-1
system: command
model: {cmd: "$2", dt: 0.1}
observable: value
measure: value
sweep:
  dt: [0.1, 0.05, 0.025]
limits: $3
EOF
}
cmd_study hang "sh $T/hang.sh {dt}" "{task_seconds: 1}" >hang.yaml
start=$(date +%s)
set +e; out=$(run hang.yaml --out h --jobs 2 2>&1); rc=$?; set -e
took=$(($(date +%s) - start))
expect_eq "$rc" 3 "hanging command: exit 3"
expect_contains "$out" "timed out after 1 s and was stopped" "hanging command: the error says so"
expect_contains "$out" "stderr: ...started" "hanging command: the end of its stderr is shown"
[ "$took" -lt 20 ] && ok "hanging command: stopped in ${took} s" || bad "hanging command: took ${took} s"
pgrep -f "$T/hang.sh" >/dev/null && bad "hanging command: left running" || ok "hanging command: nothing left running"
cmd_study flood "yes {dt}" "{output_mb: 4}" >flood.yaml
set +e; out=$( /usr/bin/time -f 'maxrss %M' "$MFH" run flood.yaml --out f --jobs 2 --no-render --quiet 2>&1); rc=$?; set -e
expect_eq "$rc" 3 "flooding command: exit 3"
expect_contains "$out" "printed more than 4000000 bytes and was stopped" "flooding command: the error says so"
rss=$(sed -n 's/^maxrss //p' <<<"$out")
[ -n "$rss" ] && [ "$rss" -lt 200000 ] && ok "flooding command: mfh stayed at ${rss} kB" || bad "flooding command: max RSS ${rss} kB"

# ---- 5. SIGTERM and kill -9 while commands run --------------------------------------------
cmd_study hang2 "sh $T/hang.sh {dt}" "{task_seconds: 600}" >hang2.yaml
wait_started() { for _ in $(seq 1 200); do pgrep -f "$T/hang.sh" >/dev/null && return 0; sleep 0.05; done; return 1; }
"$MFH" run hang2.yaml --out h2 --jobs 2 --no-render --quiet >term.txt 2>&1 &
pid=$!
wait_started && ok "SIGTERM: commands started" || bad "SIGTERM: commands never started"
start=$(date +%s)
kill -TERM "$pid"
set +e; wait "$pid"; rc=$?; set -e
took=$(($(date +%s) - start))
expect_eq "$rc" 3 "SIGTERM while commands hang: exit 3"
[ "$took" -lt 10 ] && ok "SIGTERM: stopped in ${took} s" || bad "SIGTERM: took ${took} s"
expect_contains "$(cat term.txt)" "interrupted: 0 of 3 tasks stored" "SIGTERM: counts only tasks stored"
sleep 0.5
pgrep -f "$T/hang.sh" >/dev/null && bad "SIGTERM: commands left running" || ok "SIGTERM: no command left running"
"$MFH" run hang2.yaml --out h3 --jobs 2 --no-render --quiet >/dev/null 2>&1 &
pid=$!
wait_started || true
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
gone=0
for _ in $(seq 1 60); do pgrep -f "$T/hang.sh" >/dev/null || { gone=1; break; }; sleep 0.05; done
expect_eq "$gone" 1 "kill -9 of mfh: its commands are killed too"
sleep 0.3
[ -z "$(ls -A "$TMPDIR")" ] && ok "no private temporary folder left behind" || bad "left in TMPDIR: $(ls -A "$TMPDIR")"

# ---- 6. concurrent runs on one folder --------------------------------------------------
run slow.yaml --out conc --jobs 1 >conc1.txt 2>&1 &
pid=$!
for _ in $(seq 1 400); do [ -e conc/small2d/tasks ] && break; sleep 0.02; done
set +e; out=$(run slow.yaml --out conc --jobs 1 --seed 99 2>&1); rc2=$?; set -e
expect_eq "$rc2" 3 "a second run on the same folder (another seed): exit 3"
expect_contains "$out" "another mfh run or report is using this folder" "a second run: says why"
set +e; out=$("$MFH" report conc --no-render --quiet 2>&1); rcr=$?; set -e
expect_eq "$rcr" 3 "a report while the run writes: exit 3"
set +e; wait "$pid"; rc1=$?; set -e
expect_eq "$rc1" "$clean_rc" "the first run ends like the undisturbed one"
same_as_clean conc/small2d && ok "the first run's results are not touched by the second" || bad "concurrent runs: results differ"
expect_eq "$(grep -o '"seed": [0-9]*' conc/small2d/run.json)" '"seed": 11' "run.json keeps the first run's seed"
# two shards of one run at once: both work, the merge equals the single run
run slow.yaml --out sh --jobs 1 --shard 1/2 >sh1.txt 2>&1 &
p1=$!
for _ in $(seq 1 400); do [ -e sh/small2d/tasks ] && break; sleep 0.02; done
set +e
out=$(run slow.yaml --out sh --jobs 1 --shard 1/2 2>&1); rcs=$?
out2=$(run slow.yaml --out sh --jobs 1 --shard 2/2 --seed 5 2>&1); rcd=$?
run slow.yaml --out sh --jobs 1 --shard 2/2 >sh2.txt 2>&1; r2=$?
wait "$p1"; r1=$?
set -e
expect_eq "$rcs" 3 "the same shard twice at once: exit 3"
expect_contains "$out" "shard 1/2 is already running there" "the same shard twice: says why"
expect_eq "$rcd" 2 "a shard with another seed joining: exit 2"
expect_contains "$out2" "seed 11" "a shard with another seed: names both seeds"
expect_eq "$r1$r2" "00" "two shards at once: both succeed"
set +e; "$MFH" report sh --no-render --quiet >/dev/null 2>&1; set -e
same_as_clean sh/small2d && ok "two shards at once: results equal the single run's" || bad "two shards at once: results differ"
finish
