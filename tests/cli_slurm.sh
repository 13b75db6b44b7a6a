# Slurm for real: start munged, slurmctld and slurmd on this machine (as
# root, no systemd: a private config, state folder, munge socket and ports
# under the test folder), then
#   - mfh submit --wait: a 4-element array of a quick study into one store and
#     the afterany report job; every element COMPLETED; results equal a
#     single local run (timing fields aside);
#   - srun -n 2 mfh run --shard auto: two ranks of one step share a store;
#   - a study that fails at one sweep point: its element is FAILED and
#     mfh submit --wait names it (exit 3).
# The daemons are stopped by PID when the test exits, whatever happens.
source "$(dirname "$0")/clilib.sh"
need munged slurmctld slurmd sbatch squeue srun scontrol sinfo sqlite3
# slurmd launches jobs as their user and runs as root here (as CI does)
[ "$(id -u)" = 0 ] || { bad "needs root: slurmd and slurmctld run as root here, as in CI"; finish; exit 1; }
cd "$T"
D="$T/slurm"
chmod 755 "$T" # munged wants every folder above its socket searchable
mkdir -p "$D/state" "$D/spool" "$D/log"

stop_daemons() {
  for p in slurmd slurmctld munged; do
    [ -s "$D/$p.pid" ] && kill "$(cat "$D/$p.pid")" 2>/dev/null || true
  done
  for _ in $(seq 50); do # wait (5 s at most) so the test folder can go
    alive=0
    for p in slurmd slurmctld munged; do
      [ -s "$D/$p.pid" ] && kill -0 "$(cat "$D/$p.pid")" 2>/dev/null && alive=1
    done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  rm -rf "$T"
}
trap stop_daemons EXIT

# Two TCP ports nobody listens on (another test run may hold the defaults).
listening() {
  local f _ addr st
  for f in /proc/net/tcp /proc/net/tcp6; do
    [ -r "$f" ] || continue
    while read -r _ addr _ st _; do
      [ "$st" = 0A ] && echo $((16#${addr##*:}))
    done < <(tail -n +2 "$f")
  done
}
pick_port() {
  local p used
  used=$(listening)
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 30000))
    grep -qx "$p" <<<"$used" || grep -qx "$((p + 1))" <<<"$used" || { echo "$p"; return; }
  done
  echo 26817
}
port=$(pick_port)

t0=$EPOCHREALTIME
dd if=/dev/urandom of="$D/munge.key" bs=1024 count=1 2>/dev/null
chmod 600 "$D/munge.key"
munged --socket="$D/munge.sock" --key-file="$D/munge.key" --pid-file="$D/munged.pid" \
  --log-file="$D/log/munged.log" --seed-file="$D/munge.seed" || { bad "munged did not start"; finish; exit 1; }
cat >"$D/slurm.conf" <<EOF
ClusterName=mfhtest
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$D/munge.sock
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/log/slurmctld.log
SlurmdLogFile=$D/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
MinJobAge=600
$(slurmd -C | head -1) NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$D/slurm.conf"
slurmctld -i || { bad "slurmctld did not start:"$'\n'"$(tail -20 "$D/log/slurmctld.log")"; finish; exit 1; }
slurmd || { bad "slurmd did not start:"$'\n'"$(tail -20 "$D/log/slurmd.log")"; finish; exit 1; }
up=0
for _ in $(seq 300); do
  sinfo -h -o %T 2>/dev/null | grep -qx idle && { up=1; break; }
  sleep 0.1
done
if [ "$up" = 1 ]; then
  ok "munged, slurmctld and slurmd up in $(since "$t0") s (ports $port, $((port + 1)))"
else
  bad "the Slurm node never became idle:"$'\n'"$(sinfo 2>&1; tail -20 "$D/log/slurmctld.log" "$D/log/slurmd.log")"
  finish
  exit 1
fi

study="$MFH_SOURCE_DIR/studies/classical/dob1-torus-1d.yaml"
id=dob1-torus-1d
"$MFH" run "$study" --out single --jobs 2 --quiet --no-render

# 1. mfh submit: a 4-shard array into one store, then the report job.
t0=$EPOCHREALTIME
rc=0
timeout 120 "$MFH" submit --scheduler slurm "$study" --shards 4 --out array --wait --poll 1 --history "$T/h.db" \
  --require-decided >submit.log 2>&1 || rc=$?
expect_eq "$rc" 0 "mfh submit --wait exits 0 ($(since "$t0") s)"
jid=$(sed -n 's/^submitted 4 shards as job \([0-9]*\) .*/\1/p' submit.log)
[ -n "$jid" ] || bad "no job id in:"$'\n'"$(cat submit.log)"
states=$(squeue -h -r --states=all -j "$jid" -o '%K %T' | sort -n | tr '\n' ' ')
expect_eq "$states" "1 COMPLETED 2 COMPLETED 3 COMPLETED 4 COMPLETED " "squeue: every array element COMPLETED"
for i in 1 2 3 4; do
  expect_contains "$(cat "array/slurm/shard-$i.log" 2>&1)" "shard $i/4 (SLURM_ARRAY_TASK_ID=$i of 4)" \
    "element $i ran shard $i/4 from SLURM_ARRAY_TASK_ID"
done
expect_contains "$(cat submit.log)" "report   COMPLETED" "the afterany report job COMPLETED"
expect_contains "$(cat array/slurm/report.sbatch 2>&1)" " --require-decided" "the report job runs with --require-decided"
expect_eq "$(sqlite3 h.db "SELECT count(*) FROM runs; SELECT count(*) FROM checks WHERE study = '$id'" | tr '\n' ' ')" \
  "1 3 " "the report job appended the merged run to the history"
if same_results single array "$id"; then
  ok "array results equal a single local run (timing fields aside)"
else
  bad "array results differ from a single run:"$'\n'"$(cat submit.log)"
fi

# 2. srun -n 2: two ranks of one job step.
t0=$EPOCHREALTIME
timeout 60 srun -n 2 "$MFH" run "$study" --out srun --jobs 1 --shard auto --no-render >srun.log 2>&1 ||
  bad "srun -n 2 failed:"$'\n'"$(cat srun.log)"
for r in 0 1; do
  expect_contains "$(cat srun.log)" "shard $((r + 1))/2 (SLURM_PROCID=$r of 2)" "srun rank $r ran shard $((r + 1))/2"
done
"$MFH" report srun --no-render --quiet || bad "mfh report on the srun store failed"
if same_results single srun "$id"; then
  ok "srun -n 2 results equal a single local run ($(since "$t0") s)"
else
  bad "srun results differ from a single run"
fi

# 3. a forced failure: dt = 0.025 is the third sweep point, so the third
# task group, dealt round robin to element 3 of 4.
t0=$EPOCHREALTIME
rc=0
timeout 120 "$MFH" submit --scheduler slurm "$MFH_SOURCE_DIR/tests/data/fails-once.yaml" --shards 4 --out failing --wait --poll 1 \
  >failing.log 2>&1 || rc=$?
expect_eq "$rc" 3 "mfh submit --wait exits 3 when an element failed ($(since "$t0") s)"
expect_contains "$(cat failing.log)" "failed elements: 3 (of 4)" "the failed element is named"
expect_contains "$(grep '^3 ' failing.log)" "FAILED" "element 3 is FAILED"
expect_eq "$(grep -cE '^[124] +COMPLETED' failing.log)" 3 "the other elements COMPLETED"
expect_contains "$(cat failing/slurm/shard-3.log)" "task failed" "the failed element's log says why"

echo "--- mfh submit --wait (array of 4):"
cat submit.log
finish
