# Hostile and careless input: every case is refused with exit 2 and a
# message naming the place (file:line:col for study files), by both `mfh
# validate` and `mfh run`, and the run writes nothing (its --out folder is
# never created).  The table of cases is docs/faults.md's bad-input table.
source "$(dirname "$0")/clilib.sh"
cd "$T"
BASE='id: tiny
title: "tiny"
theorem: FG-1
system: iid
model: {law: uniform, dim: 1}
observable: {name: wp_law, p: 1}
measure: wp
sweep:
  N: [16, 64, 256]
replicas: 2
seed: 3
checks:
  - rate: {proved: -1/2, tol: 0.3}
'
variant() { printf '%s' "${BASE/"$1"/"$2"}"; }
n=0
# study_bad LABEL TEXT EXPECTED: validate and run both refuse, nothing written
study_bad() {
  n=$((n + 1))
  local f="bad$n.yaml" out="o$n"
  printf '%s' "$2" >"$f"
  set +e
  local v r
  v=$(timeout 20 "$MFH" validate "$f" 2>&1)
  local vrc=$?
  r=$(timeout 20 "$MFH" run "$f" --out "$out" --no-render --quiet 2>&1)
  local rrc=$?
  set -e
  if [ "$vrc" = 2 ] && [ "$rrc" = 2 ] && grep -qF -- "$f:$3" <<<"$v" && grep -qF -- "$f:$3" <<<"$r" && [ ! -e "$out" ]; then
    ok "$1"
  else
    bad "$1: validate $vrc, run $rrc, wanted 2 and '$f:$3', out exists: $([ -e "$out" ] && echo yes || echo no)"$'\n'"$v"$'\n'"$r"
  fi
}
# usage_bad LABEL EXPECTED ARGS...: exit 2 with the message, nothing written under ./o_usage
usage_bad() {
  local label=$1 want=$2
  shift 2
  set +e
  local out
  out=$(timeout 20 "$MFH" "$@" 2>&1)
  local rc=$?
  set -e
  if [ "$rc" = 2 ] && grep -qF -- "$want" <<<"$out" && [ ! -e o_usage ]; then ok "$label"; else bad "$label: rc $rc, wanted 2 and '$want':"$'\n'"$out"; fi
}

good=good.yaml
printf '%s' "$BASE" >"$good"
set +e; "$MFH" validate "$good" >/dev/null 2>&1; rc=$?; set -e
expect_eq "$rc" 0 "the base study is valid (every case below differs from it in one place)"

# ---- ids: confined to the output folder, never colliding with the run's files
study_bad 'id ".."' "$(variant 'id: tiny' 'id: ".."')" "1:5: id: '..': use lower-case"
study_bad 'id "."' "$(variant 'id: tiny' 'id: "."')" "1:5: id: '.'"
study_bad 'id "index.html"' "$(variant 'id: tiny' 'id: index.html')" "1:5: id: 'index.html'"
study_bad 'id "junit.xml"' "$(variant 'id: tiny' 'id: junit.xml')" "1:5: id: 'junit.xml'"
study_bad 'id "a/b"' "$(variant 'id: tiny' 'id: a/b')" "1:5: id: 'a/b'"
study_bad 'id "../up"' "$(variant 'id: tiny' 'id: ../up')" "1:5: id: '../up'"
study_bad 'id "/etc"' "$(variant 'id: tiny' 'id: /etc')" "1:5: id: '/etc'"
study_bad 'id ".hidden"' "$(variant 'id: tiny' 'id: .hidden')" "1:5: id: '.hidden'"
study_bad 'id empty' "$(variant 'id: tiny' 'id: ""')" "1:5: id: ''"
study_bad 'id upper case' "$(variant 'id: tiny' 'id: Tiny')" "1:5: id: 'Tiny'"
study_bad 'id 150 characters' "$(variant 'id: tiny' "id: $(printf 'a%.0s' $(seq 150))")" "1:5: id: too long"
study_bad 'id a list' "$(variant 'id: tiny' 'id: [a, b]')" "1:5: study.id: must be a single value"
# ---- sweeps
study_bad 'N swept downward (a false FAIL before)' "$(variant 'N: [16, 64, 256]' 'N: [256, 64, 16]')" \
  "9:12: sweep.N: values go down (256, 64, ...), but N is an integer parameter"
study_bad 'N range downward' "$(variant 'N: [16, 64, 256]' 'N: {from: 256, to: 16, factor: 0.25}')" \
  "9:6: sweep.N: values go down"
study_bad 'N not monotone' "$(variant 'N: [16, 64, 256]' 'N: [16, 256, 64]')" "9:6: sweep.N: values must go one way"
study_bad 'N repeated' "$(variant 'N: [16, 64, 256]' 'N: [16, 64, 64]')" "9:6: sweep.N: value 64 appears twice"
study_bad 'N empty list' "$(variant 'N: [16, 64, 256]' 'N: []')" "9:6: sweep.N: empty sweep"
study_bad 'N out of range' "$(variant 'N: [16, 64, 256]' 'N: [0, 64, 256]')" "9:7: sweep.N"
study_bad 'N not a number' "$(variant 'N: [16, 64, 256]' 'N: [16, x, 256]')" "9:11: sweep.N: must be a number"
study_bad 'N NaN' "$(variant 'N: [16, 64, 256]' 'N: [16, .nan, 256]')" "9:11: sweep.N: must be a number"
study_bad 'N overflowing' "$(variant 'N: [16, 64, 256]' 'N: [16, 1e400, 256]')" "9:11: sweep.N: must be a number"
study_bad 'N fractional' "$(variant 'N: [16, 64, 256]' 'N: [16, 64.5, 256]')" "9:11: sweep.N: must be a list of integers"
study_bad 'unknown axis' "$(variant 'N: [16, 64, 256]' 'Q: [1, 2, 3]')" "9:3: sweep: 'Q' is not a parameter"
study_bad '5000 sweep values' "$(variant 'N: [16, 64, 256]' "N: [$(seq -s, 2 5001)]")" "9:19383: sweep.N: at most 4096 values"
# ---- counts and seeds
study_bad 'replicas negative' "$(variant 'replicas: 2' 'replicas: -3')" "10:11: replicas: must be an integer in [1, 10000000]"
study_bad 'replicas 1e8' "$(variant 'replicas: 2' 'replicas: 1e8')" "10:11: replicas: must be an integer"
study_bad 'replicas fractional' "$(variant 'replicas: 2' 'replicas: 2.5')" "10:11: replicas: must be an integer"
study_bad 'seed negative' "$(variant 'seed: 3' 'seed: -1')" "11:7: seed: must be an integer"
study_bad 'seed 1e20' "$(variant 'seed: 3' 'seed: 1e20')" "11:7: seed: must be an integer"
study_bad 'seed text' "$(variant 'seed: 3' 'seed: abc')" "11:7: seed: must be a number"
# ---- structure
study_bad 'unknown key (typo)' "$(variant 'seed: 3' 'sed: 3')" "11:1: study: unknown key 'sed' (did you mean 'seed'?"
study_bad 'duplicate key' "$(variant 'seed: 3' $'seed: 3\nseed: 4')" "12:1: study: duplicate key 'seed'"
study_bad 'unknown engine' "$(variant 'system: iid' 'system: nope')" "4:9: system: unknown engine 'nope'"
study_bad 'unknown observable' "$(variant 'name: wp_law' 'name: nope')" "6:20: observable: unknown observable 'nope'"
study_bad 'unknown model parameter' "$(variant 'dim: 1}' 'dim: 1, zz: 2}')" "5:31: model: 'zz' is not a parameter"
study_bad 'model value out of range' "$(variant 'dim: 1}' 'dim: 9}')" "5:28: model.dim"
study_bad 'measure not an output' "$(variant 'measure: wp' 'measure: nope')" "7:10: measure: no observable or derived measure of this study gives 'nope'"
study_bad 'rate with 2 points' "$(variant 'N: [16, 64, 256]' 'N: [16, 64]')" "13:5: checks[1].rate: a rate needs at least 3 fitted points"
study_bad 'rate proved missing' "$(variant 'proved: -1/2, ' '')" "13:11: checks[1].rate: missing required key 'proved'"
study_bad 'rate proved 1/0' "$(variant 'proved: -1/2' 'proved: 1/0')" "13:20: proved: must be a number"
study_bad 'bound formula unknown name' "$(variant 'rate: {proved: -1/2, tol: 0.3}' 'bound: {formula: "1/sqrt(Q)"}')" \
  "13:22: checks[1].bound.formula: unknown name 'Q'"
study_bad 'bound formula syntax' "$(variant 'rate: {proved: -1/2, tol: 0.3}' 'bound: {formula: "1/(N"}')" "13:22: checks[1].bound.formula"
study_bad 'check not a mapping' "$(variant '  - rate: {proved: -1/2, tol: 0.3}' '  - rate')" "13:5: checks[1]: must be a mapping"
study_bad 'not YAML' "$(variant 'title: "tiny"' 'title: [')" "4:7: not valid YAML"
study_bad 'a tab in YAML' "$(variant 'seed: 3' $'seed:\t3\n\tx: 1')" "12:1: not valid YAML"
study_bad 'undefined alias' "$(variant 'seed: 3' 'seed: *nope')" "11:7: not valid YAML"
study_bad 'a list at the top' '[1, 2, 3]' "1:1: a study file must be a mapping"
study_bad 'two documents' "$BASE"$'---\nid: x\n' "15:1: a study file holds one YAML document"
study_bad 'empty file' '' "1:1: empty study file"
study_bad 'binary garbage' "$(head -c 300 /dev/urandom | tr -d '\0')" ""
# ---- hostile sizes: refused in milliseconds
study_bad '100000-deep nesting' "id: x"$'\n'"title: $(printf '[%.0s' $(seq 100000))" "2:39: nested more than 32 levels deep"
study_bad '40000 keys' "id: x"$'\n'"model:"$'\n'"$(seq -f '  k%g: 1' 40000)" "259:3: more than 256 keys in one mapping"
study_bad '2 MB file' "$(head -c 2000000 /dev/zero | tr '\0' '#')" " larger than 1048576 bytes"
# ---- limits and the estimate before running
study_bad 'limits unknown key' "$(variant 'seed: 3' $'seed: 3\nlimits: {memory: 1}')" "12:10: limits: unknown key 'memory'"
study_bad 'limits.memory_gb 0' "$(variant 'seed: 3' $'seed: 3\nlimits: {memory_gb: 0}')" "12:21: limits.memory_gb: must be in"
study_bad 'limits.task_seconds negative' "$(variant 'seed: 3' $'seed: 3\nlimits: {task_seconds: -1}')" "12:24: limits.task_seconds"
study_bad '3e7 tasks up to N = 1e8' "$(variant 'N: [16, 64, 256]' 'N: [16, 1000, 100000, 100000000]' | sed 's/replicas: 2/replicas: 10000000/')" \
  "9:11: sweep.N = 1000: the plan reaches 2e+07 tasks at this value"
study_bad 'a task over limits.memory_gb' "$(variant 'N: [16, 64, 256]' 'N: [16, 1000, 100000000]' | sed 's/seed: 3/seed: 3\nlimits: {memory_gb: 0.5}/')" \
  "9:17: sweep.N = 100000000: a task needs ~800 MB (engine iid's estimate)"
study_bad 'over limits.cpu_hours' "$(variant 'N: [16, 64, 256]' 'N: [16, 1000, 100000000]' | sed 's/seed: 3/seed: 3\nlimits: {cpu_hours: 0.0001}/')" \
  "9:17: sweep.N = 100000000: the compute time reaches"
study_bad 'nbodyq grid beyond memory_gb' "$(sed -e 's/N: \[2, 3, 4\]/N: [2, 5]/' -e 's/M: 32,/M: 64,/' "$MFH_SOURCE_DIR/studies/quantum/sh1-bosons-1d.yaml")" \
  "24:10: N = 5, M = 64 needs"
# ---- command templates (engine command)
CMD='id: c
title: "c"
theorem: DT-1
system: command
model: {cmd: "echo {dt}", dt: 0.1, label: "x"}
observable: value
measure: value
sweep:
  dt: [0.1, 0.05, 0.025]
'
cmd_variant() { printf '%s' "${CMD/"echo {dt}"/"$1"}"; }
study_bad 'command: placeholder inside single quotes' "$(cmd_variant "echo '{label}' {dt}")" "5:14: cmd: column 7: {label} is inside single quotes"
study_bad 'command: placeholder inside double quotes' "$(cmd_variant 'echo \"{label}\" {dt}')" "5:14: cmd: column 7: {label} is inside double quotes"
study_bad 'command: lone brace' "$(cmd_variant "awk '{print}' {dt}")" "5:14: cmd: column 6"
study_bad 'command: unknown placeholder' "$(cmd_variant 'echo {nope}')" "5:14: cmd: {nope} is not a parameter of this study"
study_bad 'command: bad placeholder name' "$(cmd_variant 'echo {a-b}')" "5:14: cmd: column 6: {a-b} is not a parameter name"
study_bad 'command: unterminated quote' "$(cmd_variant "echo 'x {dt}")" "5:14: cmd: column 9: {dt} is inside single quotes"

# ---- usage: options and folders
printf 'x' >afile
usage_bad '--out empty' "--out: an empty folder name" run "$good" --out ''
usage_bad '--out is a file' "--out afile: exists and is not a folder" run "$good" --out afile
usage_bad '--out below a file' "--out afile/sub: Not a directory" run "$good" --out afile/sub
usage_bad '--seed overflowing' "--seed must be an integer in [0, 2^53]" run "$good" --seed 99999999999999999999 --out o_usage
usage_bad '--seed 2^53 + 1' "--seed must be an integer" run "$good" --seed 9007199254740993 --out o_usage
usage_bad '--seed negative' "--seed must be an integer" run "$good" --seed -1 --out o_usage
usage_bad '--seed 1e3' "--seed must be an integer" run "$good" --seed 1e3 --out o_usage
usage_bad '--jobs 0' "--jobs must be an integer in [1, 1024]" run "$good" --jobs 0 --out o_usage
usage_bad '--jobs overflowing' "--jobs must be an integer" run "$good" --jobs 99999999999999999999 --out o_usage
usage_bad '--jobs 2x' "--jobs must be an integer" run "$good" --jobs 2x --out o_usage
usage_bad '--shard 0/2' "--shard must be I/N" run "$good" --shard 0/2 --out o_usage
usage_bad '--shard 3/2' "--shard must be I/N" run "$good" --shard 3/2 --out o_usage
usage_bad '--shard 1/0' "--shard must be I/N" run "$good" --shard 1/0 --out o_usage
usage_bad '--shard overflowing' "--shard must be I/N" run "$good" --shard 1/99999999999999999999 --out o_usage
usage_bad '--shard 1/2/3' "--shard must be I/N" run "$good" --shard 1/2/3 --out o_usage
usage_bad '--shard -1/2' "--shard must be I/N" run "$good" --shard -1/2 --out o_usage
usage_bad '--profile unknown' "--profile must be quick, nightly or full" run "$good" --profile huge --out o_usage
usage_bad 'an option without its value' "--out needs a value" run "$good" --out
usage_bad 'unknown option' "unknown option --bogus" run "$good" --bogus --out o_usage
mkdir -p emptydir
usage_bad 'run an empty folder' "no study files" run emptydir --out o_usage
usage_bad 'report an empty folder' "no stored studies" report emptydir
usage_bad 'report a missing folder' "cannot open" report nosuchdir
usage_bad 'validate /dev/zero' "/dev/zero: larger than 1048576 bytes" validate /dev/zero
printf 'N,err\n10,0\n20,0\n40,0\n' >zero.csv
usage_bad 'fit with no usable point' "no slope could be computed" fit zero.csv --x N --y err
if [ "$(id -u)" = 0 ] && mkdir -p ro && mount -t tmpfs -o size=1m,ro tmpfs ro 2>/dev/null; then
  usage_bad '--out on a read-only file system' "Read-only file system" run "$good" --out ro/o
  umount ro
elif [ "$(id -u)" != 0 ]; then
  mkdir -p ro && chmod 555 ro
  usage_bad '--out in a folder without write permission' "cannot create it in ro" run "$good" --out ro/o
else
  bad "--out read-only: cannot mount a read-only tmpfs as root"
fi

# ---- a report folder that does not hold the study it names
"$MFH" run "$good" --out run1 --no-render --quiet >/dev/null
mv run1/tiny run1/other
usage_bad 'report: folder and study id differ' "the study's id is 'tiny', not the folder's name 'other'" report run1

# ---- parameter values never reach the shell as syntax
inj=$(cmd_variant 'echo {label} >/dev/null; echo {dt}')
printf '%s' "${inj/'label: "x"'/'label: "x; touch pwned; $(touch pwned2) `touch pwned3`"'}" >inj.yaml
grep -qF 'touch pwned2' inj.yaml || bad "the injection study was not made"
set +e; out=$("$MFH" run inj.yaml --out inj --no-render --quiet 2>&1); rc=$?; set -e
expect_eq "$rc" 0 "a label full of shell syntax runs as a value"
if [ -e pwned ] || [ -e pwned2 ] || [ -e pwned3 ]; then bad "the label ran as shell syntax"; else ok "the label did not run as shell syntax"; fi
finish
