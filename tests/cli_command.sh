# The engine command end to end: a user's program (here an awk script that
# streams particles freely) reads the cloud mfh wrote, writes its own, and
# mfh measures it against its own reference engine from the same particles;
# bad declarations are refused at their file:line:col (exit 2, nothing
# written); a bad state file fails the task naming the file (exit 3).
source "$(dirname "$0")/clilib.sh"
need() { command -v "$1" >/dev/null || { echo "skip: no $1"; exit 0; }; }
need awk
cd "$T"
# free streaming x + v t on the torus [0, L): the "user's program"
cat >stream.sh <<'SH'
# usage: stream.sh INPUT OUTPUTS TIMES L
awk -F, -v outs="$2" -v times="$3" -v L="$4" '
  NR == 1 { next }
  { n++; x[n] = $1; v[n] = $2 }
  END {
    k = split(outs, o, ","); split(times, t, ",")
    for (i = 1; i <= k; i++) {
      print "x1,v1" > o[i]
      for (j = 1; j <= n; j++) { y = x[j] + v[j] * t[i]; y = y - L * int(y / L); if (y < 0) y += L
        printf "%.17g,%.17g\n", y, v[j] > o[i] }
    }
    printf "{\"n\": ["; for (i = 1; i <= k; i++) printf "%s%d", (i > 1 ? ", " : ""), n; print "]}"
  }' "$1"
SH
cat >good.yaml <<'YAML'
id: stream
title: "free streaming, the program against mfh"
theorem: MF-1
system:
  engine: command
  cmd: "sh stream.sh {input} {outputs} {times} {L}"
  init: homogeneous
  state: cloud
  output_file: "out_{k}.csv"
  scalars: n
reference: {coupled: characteristics}
model: {N: 64, dim: 1, L: 6.283185307179586, t: 1}
observables:
  - coupling
  - {name: value, between: [system]}
measure: [D, n]
sweep:
  t: [0.5, 1, 2]
replicas: 3
checks:
  - bound: {measure: D, formula: "1e-20"}
YAML
set +e; out=$("$MFH" run good.yaml --out r --no-render 2>&1); rc=$?; set -e
expect_eq "$rc" 0 "a program that streams freely: exit 0"
expect_contains "$out" "bound[t] D  PASS" "... and matches mfh's free streaming to rounding (D < 1e-20)"
expect_eq "$(grep -c '"n": 64' r/stream/tasks/*.json | awk -F: '{s += $2} END {print s}')" 9 "its printed numbers reach the tasks"

# ---- declarations refused at their place, nothing written
n=0
refused() { # LABEL SED-SCRIPT EXPECTED
  n=$((n + 1))
  sed "$2" good.yaml >bad$n.yaml
  set +e; v=$("$MFH" validate bad$n.yaml 2>&1); vrc=$?; r=$("$MFH" run bad$n.yaml --out o$n --no-render 2>&1); rrc=$?; set -e
  if [ "$vrc" = 2 ] && [ "$rrc" = 2 ] && grep -qF -- "bad$n.yaml:$3" <<<"$v" && [ ! -e o$n ]; then ok "$1"
  else bad "$1: validate $vrc, run $rrc, wanted 2 and 'bad$n.yaml:$3':"$'\n'"$v"$'\n'"$r"; fi
}
npy='s|out_{k}.csv|out_{k}.npy|'
refused 'state: an unknown kind' 's|state: cloud|state: particles|' "8:10: system.state"
refused 'output_file: a path' 's|"out_{k}.csv"|"../out_{k}.csv"|' "9:16: output_file: '../out_{k}.csv' must be a file name"
refused 'output_file: .txt' 's|"out_{k}.csv"|"out_{k}.txt"|' "9:16: output_file:"
refused 'output_file: .csv for a grid' 's|state: cloud|state: field\n  box: "0 1"|' "10:16: output_file: 'out_{k}.csv' must be a file name (no '/') ending in .npy;"
refused 'scalars: not a name' 's|scalars: n|scalars: "n 2x"|' "10:12: scalars: '2x' is not a name"
refused 'init homogeneous on R' 's|L: 6.283185307179586|L: 0|' "12:27: model.L: must be a number in (0, 1000000] (got 0)"
refused 'cmd: unknown placeholder' 's|{times} {L}|{times} {Lx}|' "6:8: cmd: {Lx} is not a parameter of this study"
refused 'box: upside down' "s|state: cloud|state: field\\n  box: \"1 0\"|; $npy" "9:8: box: \"1 0\": each upper end must exceed its lower end"
refused 'box: missing' "s|state: cloud|state: phase_grid|; $npy" "5:3: box: a phase_grid needs"
refused 'a field cannot start characteristics' "s|state: cloud|state: field\\n  box: \"0 1\"|; $npy" "12:12: reference: engine characteristics starts from a cloud, which the system (command) does not have"
refused 'coupling needs two clouds' "s|state: cloud|state: phase_grid\\n  box: \"0 1 -1 1\"|; s|reference: {coupled: characteristics}|reference: twin|; $npy" "15:5: observables[1]: observable coupling needs a cloud from system, which engine command does not produce"
refused 'a negative time limit' 's|replicas: 3|replicas: 3\nlimits: {task_seconds: -1}|' "20:24: limits.task_seconds"

# ---- a bad state file fails its tasks, naming the file and what is wrong
cat >short.sh <<'SH'
echo "writing $2" >&2
printf 'x1,v1\n0,1\n' > "$MFH_TASK_DIR/out_0.csv"
echo '{"n": 1}'
SH
sed 's|cmd: "sh stream.sh|cmd: "sh short.sh|; s|  t: \[0.5, 1, 2\]|  t: [1]|' good.yaml >short.yaml
set +e; out=$("$MFH" run short.yaml --out s --no-render 2>&1); rc=$?; set -e
expect_eq "$rc" 3 "a wrong number of particles: exit 3"
expect_contains "$out" "output for t = 1: out_0.csv: 1 rows of 2 numbers, the study declares N = 64 particles x 2 columns" "... naming the file and what is wrong"
expect_contains "$out" "stderr: ...writing" "... with the end of the program's standard error"
sed 's|> "$MFH_TASK_DIR/out_0.csv"|> /dev/null|' short.sh >none.sh
sed 's|short.sh|none.sh|' short.yaml >none.yaml
set +e; out=$("$MFH" run none.yaml --out s2 --no-render 2>&1); rc=$?; set -e
expect_eq "$rc" 3 "no state file: exit 3"
expect_contains "$out" "out_0.csv: the program did not write this file (its folder holds initial.csv)" "... says which file is missing"
finish
