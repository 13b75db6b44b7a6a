# Bad input and usage: exit 2, a file:line:col message, nothing written.
source "$(dirname "$0")/clilib.sh"
cd "$T"
good="$MFH_SOURCE_DIR/tests/data/small2d.yaml"
sed 's/replicas: 12/replicas: -3/' "$good" >bad.yaml
set +e
out=$("$MFH" run "$good" bad.yaml --out run1 --no-render 2>&1); rc=$?
set -e
expect_eq "$rc" 2 "bad study: exit 2"
expect_contains "$out" "bad.yaml:12:11: replicas: must be an integer in [1, 10000000] (got -3)" "bad study: message"
if [ -e run1 ]; then bad "bad study: nothing written (run1 exists)"; else ok "bad study: nothing written"; fi

# memory: an N-body Schroedinger sweep point too big for the machine is refused
# before anything is allocated or written, pointing at the sweep value (N: [2, 5]
#                                                    ^ line 24, col 10) with the size
sed -e 's/N: \[2, 3, 4\]/N: [2, 5]/' -e 's/M: 32,/M: 256,/' \
  "$MFH_SOURCE_DIR/studies/quantum/sh1-bosons-1d.yaml" >huge.yaml
set +e; out=$("$MFH" run huge.yaml --out run2 --profile quick 2>&1); rc=$?; set -e
expect_eq "$rc" 2 "oversize N-body grid: exit 2"
expect_contains "$out" "huge.yaml:24:10: N = 5, M = 256 needs 1.76e+04 GB" "oversize N-body grid: message"
if [ -e run2 ]; then bad "oversize N-body grid: nothing written"; else ok "oversize N-body grid: nothing written"; fi
sed -i 's/M: 256,/M: 64,/' huge.yaml
set +e; out=$("$MFH" validate huge.yaml 2>&1); rc=$?; set -e
expect_eq "$rc" 2 "N = 5, M = 64 over the default 8 GB: exit 2"
expect_contains "$out" "limit 8 GB (memory_gb)" "memory limit named"

printf 'id: x\ntitle: [\n' >broken.yaml
set +e; out=$("$MFH" validate broken.yaml 2>&1); rc=$?; set -e
expect_eq "$rc" 2 "not YAML: exit 2"
expect_contains "$out" "broken.yaml:3:1: not valid YAML" "not YAML: message"

set +e; out=$("$MFH" validate "$good" 2>&1); rc=$?; set -e
expect_eq "$rc" 0 "validate good study"

for args in "run --jobs 0 $good" "run --shard 3/2 $good" "run --profile huge $good" "frobnicate" "run" "list widgets" "run $good --bogus"; do
  set +e; out=$("$MFH" $args 2>&1); rc=$?; set -e
  expect_eq "$rc" 2 "usage error: mfh $args"
done
set +e; out=$("$MFH" run /no/such/file.yaml 2>&1); rc=$?; set -e
expect_eq "$rc" 2 "missing file: exit 2"
expect_contains "$out" "/no/such/file.yaml: no such file or folder" "missing file: message"

# bad CSV input to metric and fit: exit 2, file:line:col
printf 'x,y\n0,0\n1,0\n' >a.csv
printf '0.5,0\n1.5,0\n' >b.csv
printf 'x,y\n0,0\n1,zz\n' >c.csv
printf '0,0,0\n' >d.csv
printf 'N,err\n10,0.1\n20,0.05\n40,0.025\n' >f.csv
printf 'N,err\n10,0.1\n20\n' >g.csv
expect_eq "$("$MFH" metric w1 a.csv b.csv)" "0.5" "metric w1 on a small case"
for case in "metric w2 a.csv c.csv|c.csv:3:3: 'zz' is not a number" \
            "metric w2 a.csv d.csv|dimension mismatch: a.csv has dimension 2, d.csv has dimension 3" \
            "metric wp a.csv b.csv|wp needs --p" \
            "metric w1 a.csv missing.csv|missing.csv: cannot open" \
            "fit f.csv --x N --y foo|f.csv: no column 'foo' (columns: N, err)" \
            "fit g.csv --x N --y err|g.csv:3:3: row has 1 field" \
            "fit f.csv --x N|--y"; do
  args=${case%%|*}; want=${case#*|}
  set +e; out=$("$MFH" $args 2>&1); rc=$?; set -e
  expect_eq "$rc" 2 "mfh $args: exit 2"
  expect_contains "$out" "$want" "mfh $args: message"
done

for sub in run validate list report bless metric fit; do
  set +e; out=$("$MFH" $sub --help 2>&1); rc=$?; set -e
  expect_eq "$rc" 0 "mfh $sub --help"
  expect_contains "$out" "usage: mfh $sub" "mfh $sub --help text"
done
expect_contains "$("$MFH" --version)" "mfh " "--version"
expect_contains "$("$MFH" list engines)" "N            int" "list engines prints the parameter table"
# gnuplot missing: said once, scripts and data still written; exit 3 only with --render
set +e
out=$(MFH_GNUPLOT=/nonexistent/gnuplot "$MFH" run "$MFH_SOURCE_DIR/studies/examples" --out nognu 2>&1); rc=$?
set -e
expect_eq "$rc" 0 "gnuplot missing: exit 0 without --render"
expect_eq "$(grep -c -i gnuplot <<<"$out")" 1 "gnuplot missing: said once"
[ -s nognu/example-euler-command/plot.gp ] && ok "gnuplot missing: plot.gp written" || bad "gnuplot missing: no plot.gp"
set +e
out=$(MFH_GNUPLOT=/nonexistent/gnuplot "$MFH" run "$MFH_SOURCE_DIR/studies/examples" --out nognu --render 2>&1); rc=$?
set -e
expect_eq "$rc" 3 "gnuplot missing with --render: exit 3"
finish
