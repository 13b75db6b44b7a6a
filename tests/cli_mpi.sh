# mpirun -np 4 mfh run --shard auto: four processes write one shared store
# (each rank takes its shard from OMPI_COMM_WORLD_RANK / _SIZE), and the
# merged report equals a single local run, task by task.
source "$(dirname "$0")/clilib.sh"
need mpirun
cd "$T"
study="$MFH_SOURCE_DIR/studies/classical/dob1-torus-1d.yaml"
id=dob1-torus-1d
"$MFH" run "$study" --out single --jobs 2 --quiet --no-render
export OMPI_MCA_rmaps_base_oversubscribe=1
t0=$EPOCHREALTIME
if mpirun --allow-run-as-root --oversubscribe -np 4 "$MFH" run "$study" --out shared --jobs 1 --shard auto --no-render \
  >mpi.log 2>&1; then
  ok "mpirun -np 4 mfh run --shard auto exits 0 ($(since "$t0") s)"
else
  bad "mpirun failed:"$'\n'"$(cat mpi.log)"
fi
for r in 0 1 2 3; do
  expect_contains "$(cat mpi.log)" "shard $((r + 1))/4 (OMPI_COMM_WORLD_RANK=$r of 4)" "rank $r ran shard $((r + 1))/4"
done
expect_eq "$(ls shared/$id/tasks | grep -c '\.json$')" "$(ls single/$id/tasks | grep -c '\.json$')" \
  "the shared store holds every task once"
"$MFH" report shared --no-render --quiet || bad "mfh report on the shared store failed"
if same_results single shared "$id"; then
  ok "merged results equal a single local run (timing fields aside)"
else
  bad "merged results differ from a single run"
fi
# the comparison can fail: a changed task value is caught
f=$(ls shared/$id/tasks/*.json | head -1)
sed -i "s/\"w1\": [0-9.e+-]*/\"w1\": 0.5/" "$f"
if same_results single shared "$id"; then bad "a changed task value went unnoticed"; else ok "a changed task value is caught"; fi
# no launcher around: --shard auto is bad input, and says what it looked for
rc=0
out=$(env -u OMPI_COMM_WORLD_RANK -u PMI_RANK -u SLURM_ARRAY_TASK_ID -u SLURM_STEP_ID -u SGE_TASK_ID -u LSB_JOBINDEX \
  -u PBS_ARRAY_INDEX -u PBS_ARRAYID -u JOB_COMPLETION_INDEX "$MFH" run "$study" --out none --shard auto 2>&1) || rc=$?
expect_eq "$rc" 2 "--shard auto outside a launcher exits 2"
expect_contains "$out" "no launcher environment found" "... and says so"
[ -e none ] && bad "--shard auto outside a launcher wrote a store" || ok "... before writing anything"
finish
