# The gci check end to end: forward Euler's y(1) = (1 - dt)^(1/dt) along dt,
# a value with no exact solution given to mfh; the check observes order 1,
# extrapolates to within O(dt^2) of e^-1, and its numbers reach the terminal,
# results.json and the plot (a level line and the GCI band).
source "$(dirname "$0")/clilib.sh"
need awk
cd "$T"
cat >euler_y.sh <<'SH'
awk -v dt="$1" 'BEGIN { n = int(1 / dt + 0.5); h = 1 / n; y = 1
  for (i = 0; i < n; i++) y = y - h * y
  printf "{\"y\": %.17g}\n", y }'
SH
cat >gci.yaml <<'YAML'
id: gci-euler
title: "forward Euler y(1) vs dt"
theorem: DT-1
source: "test"
system: {engine: command, cmd: "sh euler_y.sh {dt}", scalars: y}
model: {dt: 0.1}
observable: value
measure: {y: "y(1)"}
sweep:
  dt: [0.1, 0.05, 0.025, 0.0125, 0.00625]
checks:
  - gci: {order: 1, max_gci: 0.01}
YAML
set +e; out=$("$MFH" run gci.yaml --out rep --no-render 2>&1); rc=$?; set -e
expect_eq "$rc" 0 "order 1 observed: exit 0"
expect_contains "$out" "gci[dt] y  PASS" "terminal: the verdict"
expect_contains "$out" "proved order 1, observed p = 1.01 from the 3 finest levels (monotone, R = 0.496; p trend 1.05, 1.02, 1.01), extrapolated 0.367867, GCI_fine 0.389% (Fs 1.25)" "terminal: the numbers"
j=rep/gci-euler/results.json
ext=$(tr -d ' \n' <"$j" | sed -n 's/.*"extrapolated":{"value":\([^,]*\),.*/\1/p')
expect_eq "$(awk -v e="$ext" 'BEGIN { d = e - exp(-1); print (d < 0 ? -d : d) < 2e-5 }')" 1 "results.json: phi_ext = $ext is e^-1 to O(dt^2)"
for key in '"phi_ext"' '"gci_fine"' '"asymptotic_ratio"' '"p_triple_3"' '"r21": 2'; do
  expect_contains "$(cat "$j")" "$key" "results.json: check number $key"
done
expect_contains "$(cat rep/gci-euler/plot.gp)" "Richardson extrapolation 0.367867" "plot.gp: the level line"
expect_contains "$(cat rep/gci-euler/plot.gp)" "s1-dt-y.gci.dat" "plot.gp: the GCI band"
if grep -q '"fit": null' "$j"; then ok "a value series gets no rate fit"; else bad "a value series was fitted"; fi
# order 2 is not what forward Euler does: fail, exit 1
sed -i 's/order: 1, max_gci: 0.01/order: 2/' gci.yaml
set +e; out=$("$MFH" run gci.yaml --out rep2 --no-render 2>&1); rc=$?; set -e
expect_eq "$rc" 1 "order 2 claimed: exit 1"
expect_contains "$out" "slower than proved" "order 2 claimed: says why"
# a bad setting: file:line:col, exit 2, nothing written
sed -i 's/order: 2/order: 2, spacing: cells/' gci.yaml
set +e; out=$("$MFH" run gci.yaml --out rep3 2>&1); rc=$?; set -e
expect_eq "$rc" 2 "spacing cells on dt: exit 2"
expect_contains "$out" "gci.yaml:12:30: checks[1].gci: spacing cells makes h grow or stay from dt = 0.1 to 0.05" "spacing cells on dt: message"
if [ -e rep3 ]; then bad "nothing written"; else ok "nothing written"; fi
finish
