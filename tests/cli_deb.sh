# The Debian package: dpkg-buildpackage -us -uc -b builds it from a copy of
# the tree (the program and man page only: the tests run here instead), its
# dependencies are satisfied by this machine's packages, it installs (into a
# scratch root with a copy of this machine's dpkg database, so the machine is
# left alone), and the installed mfh runs a shipped study.  Built with
# DEB_BUILD_OPTIONS=noopt (-O0) to keep the CI cost down: this tests the
# packaging, not the optimiser.
source "$(dirname "$0")/clilib.sh"
need dpkg-buildpackage dh fakeroot
cd "$T"
mkdir src
tar -C "$MFH_SOURCE_DIR" --exclude='./build*' --exclude='./obj-*' --exclude=./.git --exclude='./reports' \
  --exclude='./debian/mfh' --exclude='./debian/.debhelper' -cf - . | tar -C src -xf -
t0=$EPOCHREALTIME
if (cd src && DEB_BUILD_OPTIONS="parallel=$(nproc) nocheck noopt" dpkg-buildpackage -us -uc -b >../build.log 2>&1); then
  ok "dpkg-buildpackage -us -uc -b built the package ($(since "$t0") s)"
else
  bad "dpkg-buildpackage failed:"$'\n'"$(tail -30 build.log)"
  finish
  exit 1
fi
deb=$(ls mfh_*.deb | head -1)
[ -n "$deb" ] && ok "built $deb" || bad "no .deb"
contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/mfh ./usr/share/mfh/studies/classical/dob1-torus-1d.yaml ./usr/share/mfh/expected/ \
  ./usr/share/man/man1/mfh.1.gz ./usr/share/doc/mfh/history.md; do
  expect_contains "$contents" "$f" "the package holds $f"
done
expect_contains "$(dpkg-deb -f "$deb" Depends)" "libsqlite3-0" "its Depends come from the shared libraries it links"
# install into a scratch root, checking Depends against this machine's packages
mkdir -p admin/info admin/updates admin/triggers root
cp /var/lib/dpkg/status admin/status
if dpkg --admindir="$T/admin" --instdir="$T/root" --force-not-root -i "$deb" >dpkg.log 2>&1; then
  ok "dpkg -i installs it (dependencies satisfied)"
else
  bad "dpkg -i failed:"$'\n'"$(cat dpkg.log)"
fi
mkdir elsewhere && cd elsewhere
rc=0
"$T/root/usr/bin/mfh" run classical/dob1-torus-1d.yaml --out out --jobs 2 --no-render >run.txt 2>&1 || rc=$?
expect_eq "$rc" 0 "the packaged mfh runs a shipped study"
expect_contains "$(cat run.txt)" "3 checks: 3 pass" "... and every check passes, its baseline found under /usr/share/mfh"
expect_contains "$(zcat "$T/root/usr/share/man/man1/mfh.1.gz")" "mfh history" "the packaged man page documents mfh history"
finish
