# cmake --install: mfh, the shipped studies, their expected/ baselines, the
# docs and the man page land under the prefix, and the installed mfh, run
# from an unrelated folder, finds a shipped study and its baseline there.
source "$(dirname "$0")/clilib.sh"
build=$(dirname "$MFH")
cd "$T"
cmake --install "$build" --prefix "$T/prefix" >install.log 2>&1 || { bad "cmake --install failed: $(cat install.log)"; finish; exit 1; }
for f in bin/mfh share/mfh/studies/classical/dob1-torus-1d.yaml share/mfh/expected/dob1-torus-1d.json \
  share/mfh/examples/euler.sh share/mfh/examples/nbody.sh share/mfh/examples/pic_landau.py libexec/mfh/mfh-example-nbody \
  share/doc/mfh/tutorial.md share/doc/mfh/README.md share/doc/mfh/studies.md share/doc/mfh/history.md \
  share/doc/mfh/schedulers.md share/man/man1/mfh.1; do
  [ -e "$T/prefix/$f" ] && ok "installed $f" || bad "not installed: $f"
done
expect_contains "$(cat "$T/prefix/share/man/man1/mfh.1" 2>&1)" 'mfh submit' "the man page has every command's --help"
mkdir -p "$T/elsewhere" && cd "$T/elsewhere"
expect_contains "$("$T/prefix/bin/mfh" list studies 2>&1)" "dob1-torus-1d" "the installed mfh lists the shipped studies"
rc=0
"$T/prefix/bin/mfh" run classical/dob1-torus-1d.yaml --out out --jobs 2 --no-render >run.txt 2>&1 || rc=$?
expect_eq "$rc" 0 "the installed mfh runs a shipped study by its path under studies/"
expect_contains "$(cat run.txt)" "6 points match expected/" "... and finds its blessed baseline under the prefix"
rc=0
"$T/prefix/bin/mfh" run studies/examples/euler-command.yaml --out out2 --no-render >ex.txt 2>&1 || rc=$?
expect_eq "$rc" 0 "the shipped example with its own solver script runs from the prefix"
# the shipped N-body example finds its program under libexec (a small copy of the study)
ex="$T/prefix/share/mfh/studies/examples"
sed -e 's/^replicas: .*/replicas: 2/' -e 's/  N: {from: 16, to: 1024, factor: 2}/  N: [16, 32, 64]/' -e '/expected:/d' \
  "$ex/nbody-mf1.yaml" >"$ex/small-nbody.yaml"
rc=0
"$T/prefix/bin/mfh" run "$ex/small-nbody.yaml" --out out3 --no-render >nb.txt 2>&1 || rc=$?
expect_eq "$rc" 0 "the installed N-body example runs its program from libexec: $(tail -3 nb.txt)"
rc=0
out=$("$T/prefix/bin/mfh" run no/such/study.yaml 2>&1) || rc=$?
expect_eq "$rc" 2 "a study found neither here nor under the prefix is bad input"
finish
