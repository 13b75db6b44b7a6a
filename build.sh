#!/usr/bin/env bash
# One entry point for a fresh Debian machine:
#   ./build.sh run    install the Debian packages mfh needs, build, run the default (quick) suite
#   ./build.sh test   install, build, run every test (ctest)
#   ./build.sh        install and build only
# Packages are installed only when missing (apt-get, as root or through sudo).
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(build-essential cmake pkg-config libgsl-dev libfftw3-dev libyaml-dev libjansson-dev
          libxxhash-dev liblapacke-dev libopenblas-dev libsqlite3-dev sqlite3 check gnuplot-nox
          python3-numpy  # the example PIC code of studies/examples/pic-landau.yaml (/usr/bin/python3)
          help2man slurm-wlm munge openmpi-bin debhelper dpkg-dev fakeroot  # tests: Slurm, MPI, .deb
          # the tests' sanitizer build and fuzzers (clang, its runtimes and OpenMP),
          # valgrind, and /usr/bin/time for the fault-injection test
          clang llvm libclang-rt-14-dev libomp-dev valgrind time)

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "build.sh: installing ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() {
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build -j "$(nproc)"
}

install_packages
build
case "${1:-build}" in
  run) shift; exec build/mfh run studies --profile quick "$@" ;;
  test)
    rc=0
    ctest --test-dir build --output-on-failure -j "$(nproc)" || rc=$?
    # ctest shows a passing test's output nowhere: print what the scheduler and
    # packaging tests checked (Slurm, MPI, .deb), so a CI log says it
    log=build/Testing/Temporary/LastTest.log
    if [ -f "$log" ]; then
      echo "--- what the Slurm, MPI and package tests checked:"
      awk '/Testing: cli_(slurm|mpi|deb)$/ {on = 1; print "== " $3} on && /^(ok|FAIL|SKIP)/ {print "   " $0}
           /end time:/ {on = 0}' "$log"
    fi
    exit "$rc" ;;
  build) ;;
  *) echo "usage: ./build.sh [run|test]" >&2; exit 2 ;;
esac
